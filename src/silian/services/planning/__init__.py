"""Planning use-cases: next year's enrolment plan (:mod:`.enrolment_plan`, built from :mod:`.plan_inputs`, explained by
:mod:`.plan_reasons` and :mod:`.plan_effect`) and students matched to seats from a file (:mod:`.seat_matching`)."""
