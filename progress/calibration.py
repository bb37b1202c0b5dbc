"""Whether a self-rating and the key points covered tell the same story."""


def calibration_hint(rating: int | None, covered: int, total: int) -> str | None:
    if rating is None or total == 0:
        return None
    if rating >= 3 and covered * 2 < total:
        return (
            "You rated this Good or Easy but covered under half of its key points. "
            "A rating that follows the key points makes your schedule more useful."
        )
    if rating == 1 and covered == total:
        return (
            "You rated this Again but covered every key point. "
            "If the answer was complete, Good or Easy will bring it back less often."
        )
    return None
