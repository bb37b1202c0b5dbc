"""Feedback on an answer: reading it (sentences.py), which key points it seems to cover
(detection.py, with relations.py for contrasting terms), which common misconceptions it
seems to state and the points they withhold (misconceptions.py), storing those suggestions
with the answer and how often users agreed (suggestions.py), the admin's figures (admin.py),
and measuring the detector on labelled answers (evaluation.py).

Owns: the suggestion columns of ShownKeyPoint, the finding of ShownMisconception (`stated`
and its evidence) and the KeyPointSuggestions admin view.
May import: the interview's models (sessions.models) and questions; never sessions.views,
recordings or progress. The self-grade's rules stay in sessions/grading.py."""
