"""Grade a class fast: nbgrader's own autograde pipeline in long-lived workers, one gradebook writer.

* :mod:`.jobs` -- ``GradeJob`` and ``StudentOutcome``, frozen and picklable;
* :mod:`.worker` -- ``grade_one``: ``nbgrader autograde`` of one submission in a scratch course;
* :mod:`.executors` -- a local process pool or a Dask cluster, one Executor interface;
* :mod:`.run` -- ``grade_class``: the loop, the progress bar, the summary;
* :mod:`.gradebook` -- the one writer of the course gradebook and ``autograded/``;
* :mod:`.tail` -- nbgrader steps that do not re-run the cells after the last test.
"""
