"""Job postings: the pipeline on the local engine (:mod:`.local`) and on Spark (:mod:`.spark`), each posting kept
(:mod:`.records`), titles classified (:mod:`.classifier`) and confirmed by reviewers (:mod:`.confirmed_titles`), and
`silian postings import` as a use-case (:mod:`.importing`)."""
