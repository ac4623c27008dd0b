"""The task queue (Huey) and what its workers run: heavy documents built as jobs.

`queue` holds the Huey instance, configured from TASK_QUEUE_URL, and its tasks; `runner` is the
worker's transaction boundary around a job (claim, build, store); `documents` builds each kind;
`worker` is `flask --app portal worker`, Huey's consumer inside the portal's application.
"""
