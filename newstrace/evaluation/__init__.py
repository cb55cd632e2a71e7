"""Evaluation tools for the text-alignment engine, after PAN's text-alignment
task: the plagdet measures (:mod:`newstrace.evaluation.plagdet`) and
planted-passage benchmarks with known truth (:mod:`newstrace.evaluation.synth`).

Nothing is re-exported here: the function ``plagdet`` would shadow its own
module. Import from the submodules.
"""
