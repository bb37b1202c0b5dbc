"""Feedback on an answer: reading it (sentences.py), which key points it seems to cover
(detection.py, with relations.py for contrasting terms), which common misconceptions it
seems to state and the points they withhold (misconceptions.py), storing those suggestions
with the answer and how often users agreed (suggestions.py), the admin's figures (admin.py),
measuring the detector on labelled answers (evaluation.py), and a second opinion: someone
else grading an interview through a private link (models.py, reviews.py, the candidate's
pages in second_opinion_views.py, the reviewer's in review_views.py, their forms in
review_forms.py).

Owns: the suggestion columns of ShownKeyPoint, the finding of ShownMisconception (`stated`
and its evidence), the KeyPointSuggestions admin view, and the review links with what
reviewers wrote (ReviewLink, ReviewedAnswer, ReviewTick, ReviewMoment).
May import: the interview (sessions.models, access.py, fields.py, the recording-length
filter, and sessions.engine for the one grade path a reviewer's verdict may take, at the
candidate's request), questions, accounts' throttling and the cache versions; never
sessions.views, recordings or progress (a reviewer's recording is played through
sessions/review_audio.py, which joins this room to recordings'). The self-grade's rules stay
in sessions/grading.py."""
