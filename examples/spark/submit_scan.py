"""spark-submit's entry point for newstrace: the ``newstrace`` command line,
run inside the session spark-submit sets up (its --master and --conf apply).

    spark-submit --master spark://head:7077 --py-files newstrace-0.1.0-py3-none-any.whl \
        examples/spark/submit_scan.py scan hdfs:///news/2017 --engine spark --output hdfs:///news/2017-newstrace

See docs/spark.md.
"""

from newstrace.cli import main

if __name__ == "__main__":
    main()
