"""The dashboard's per-user queries, compiled once per process. Building and compiling one of
them costs the ORM several times the CPU that running it does (the mastery query: 3.3 ms to
write, 0.2 ms to run; docs/PERFORMANCE.md), and a cold dashboard runs several. So the ORM
writes each query's SQL once, for a stand-in user, and every later run binds the real user's
id in the stand-in's place: the SQL and the row conversions are the ORM's own, only written
once."""

from collections.abc import Callable, Hashable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# No user has this id; it marks where the user's id goes in the query's parameters.
STAND_IN = -2_000_000_011

_compiled: dict[tuple, tuple] = {}
# Variants that change with the day (and time zones) make new entries: past this many, the
# oldest are forgotten.
MOST_KEPT = 500


def dicts(
    name: str, build: Callable[[int], QuerySet], user_id: int, variant: Hashable = ()
) -> list[dict]:
    """The rows of the values() queryset `build(user_id)`, as its values() would give them."""
    names, found = _run(name, build, user_id, variant)
    return [dict(zip(names, row, strict=True)) for row in found]


def tuples(
    name: str, build: Callable[[int], QuerySet], user_id: int, variant: Hashable = ()
) -> list[tuple]:
    """The same rows as tuples, in the order the SQL selects the columns: the values()
    fields named by name, then its expressions and annotations, in the order given."""
    return [tuple(row) for row in _run(name, build, user_id, variant)[1]]


def _run(name: str, build: Callable[[int], QuerySet], user_id: int, variant: Hashable):
    """`build` must use its argument only as the user's id, and anything else its SQL
    depends on must be in `variant` (a time zone's name, say): the SQL is compiled once per
    name, variant and kind of database."""
    connection = connections[DEFAULT_DB_ALIAS]
    key = (name, variant, connection.vendor)
    compiled = _compiled.get(key)
    if compiled is None:
        while len(_compiled) >= MOST_KEPT:
            del _compiled[next(iter(_compiled))]
        compiled = _compiled[key] = _compile(build(STAND_IN).using(DEFAULT_DB_ALIAS))
    sql, params, names, compiler, converters = compiled
    bound = [user_id if value == STAND_IN else value for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        found = cursor.fetchall()
    if converters:
        found = list(compiler.apply_converters(found, converters))
    return names, found


def _compile(queryset: QuerySet) -> tuple:
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    if STAND_IN not in params:
        raise ValueError("The query does not filter on the user it was built for.")
    # The columns in the order the SQL selects them, as Django's values() reads them.
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    if len(fields) != len(names):
        raise ValueError("Only a values() queryset's columns can be named.")
    return sql, tuple(params), names, compiler, compiler.get_converters(fields)
