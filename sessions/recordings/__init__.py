"""Spoken answers: the rules of a recording (rules.py), keeping its chunks and joining them
(store.py, remux.py), playing and downloading them (views.py), and the delivery figures drawn
from them (delivery.py, pace.py).

Owns: the Recording and RecordingChunk rows and their files in the recordings storage.
May import: the interview (sessions.models, sessions.engine for the clock), accounts,
questions and the cache versions (interviewprep.versions); never sessions.views, feedback or
progress."""
