"""A user's free tags on their own questions: a tag named as a bank topic is that topic, any
other is a topic of the user's own."""

from django.db.models import Q
from django.utils.text import slugify

from questions.models import Topic

MAX_TAGS = 10
MAX_TAG_CHARS = Topic._meta.get_field("name").max_length


def tag_names(text: str) -> list[str]:
    """Tags typed in one box, separated by commas or semicolons; blanks and repeats dropped."""
    names: list[str] = []
    for part in text.replace(";", ",").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in {known.casefold() for known in names}:
            names.append(name)
    return names


def topics_named(owner, names: list[str]) -> list[Topic]:
    """The topics of these names for the owner, the missing ones created as their own."""
    if not names:
        return []
    visible = Topic.objects.filter(Q(owner__isnull=True) | Q(owner=owner))
    # The bank's topic wins over an own tag of the same name: it is read last.
    known = {
        topic.name.casefold(): topic
        for topic in sorted(visible, key=lambda topic: topic.owner_id is None)
    }
    taken_slugs = set(visible.filter(owner=owner).values_list("slug", flat=True))
    topics = []
    for name in names:
        topic = known.get(name.casefold())
        if topic is None:
            base = slugify(name)[:50] or "tag"
            slug, suffix = base, 2
            while slug in taken_slugs:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            taken_slugs.add(slug)
            topic = Topic.objects.create(owner=owner, slug=slug, name=name)
            known[name.casefold()] = topic
        topics.append(topic)
    return topics
