"""Feedback on an answer: which key points it seems to cover (detection.py), storing those
suggestions with the answer and how often users agreed (suggestions.py), the admin's figures
(admin.py), and measuring the detector on labelled answers (evaluation.py).

Owns: the suggestion columns of ShownKeyPoint and the KeyPointSuggestions admin view.
May import: the interview's models (sessions.models) and questions; never sessions.views,
recordings or progress. The self-grade's rules stay in sessions/grading.py."""
