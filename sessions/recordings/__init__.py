"""Spoken answers: the rules of a recording (rules.py), keeping its chunks and joining them
(store.py, remux.py), playing and downloading them (views.py), and the delivery figures drawn
from them (delivery.py, pace.py); the joins and the zip of them all done by task workers
(tasks.py, with the zip's row in exports.py).

Owns: the Recording, RecordingChunk and RecordingsExport rows and their files in the
recordings storage.
May import: the interview (sessions.models, sessions.engine for the clock), accounts,
questions, the cache versions (interviewprep.versions) and the task retries
(interviewprep.task_retries); never sessions.views, feedback or
progress."""
