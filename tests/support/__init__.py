"""Helpers shared by the test modules: the command line run in-process or as a real process (:mod:`.cli`), the
demo region built once per session and copied (:mod:`.demo`), databases on each backend (:mod:`.backends`)."""
