"""Planning use-cases: next year's enrolment plan (:mod:`.enrolment_plan`, built from :mod:`.plan_inputs`, explained by
:mod:`.plan_reasons` and :mod:`.plan_effect`), a plan asked for over the web by a planner (:mod:`.plan_request`) and
students matched to seats from a file (:mod:`.seat_matching`)."""
