"""The import graph of production code keeps the layering: accounts and questions, then
sessions, then progress, then the project package; each import against it is allowed here
by name, with its reason. Inside sessions/, recordings/ and feedback/ keep to their rooms."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "questions", "sessions", "progress", "interviewprep")

# Modules of the project package that import no app: every app may import them.
FOUNDATION = {
    "interviewprep.env",
    "interviewprep.cache_versions",
    "interviewprep.fragments",
    "interviewprep.task_retries",
}


def layer(module: str) -> int:
    if module in FOUNDATION:
        return 0
    top = module.split(".")[0]
    return {"accounts": 1, "questions": 1, "sessions": 2, "progress": 3, "interviewprep": 4}[top]


# (importing module, imported app): why it may import upwards.
ALLOWED_UPWARD = {
    ("sessions.engine", "progress"): (
        "A grade and the FSRS schedule it changes are written in one transaction; the "
        "weakest-first order reads the schedule's predicted recall."
    ),
    ("questions.views", "sessions"): (
        "A question's page shows its reference answer once the user has answered it in an "
        "interview."
    ),
}
MAX_UPWARD = 3


def production_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "management" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The project's modules that `path` imports: `from sessions import engine` names
    sessions.engine, `from sessions.models import Rating` names sessions.models."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & modules
            found.update(submodules or {node.module})
    return found & modules


def project_imports() -> set[tuple[str, str]]:
    modules = production_modules()
    return {
        (name, target)
        for name, path in modules.items()
        for target in imports_of(path, set(modules))
        if target != name
    }


def upward_imports() -> set[tuple[str, str]]:
    return {
        (source, target.split(".")[0])
        for source, target in project_imports()
        if layer(target) > layer(source)
    }


def test_it_allows_only_the_named_imports_against_the_layering():
    assert upward_imports() <= set(ALLOWED_UPWARD), upward_imports() - set(ALLOWED_UPWARD)


def test_it_keeps_the_imports_against_the_layering_at_three_at_most():
    assert len(ALLOWED_UPWARD) <= MAX_UPWARD
    # The allow-list names no import that has gone: it stays a true account of the code.
    assert set(ALLOWED_UPWARD) <= upward_imports()


def test_the_foundation_imports_no_app():
    edges = project_imports()
    assert not [edge for edge in edges if edge[0] in FOUNDATION]


def test_the_rooms_of_sessions_keep_to_themselves():
    rooms = {"sessions.recordings": "sessions.feedback", "sessions.feedback": "sessions.recordings"}
    for source, target in project_imports():
        for room, other in rooms.items():
            if source.startswith(room + ".") or source == room:
                assert not target.startswith(other), (source, target)
                assert target not in ("sessions.views", "sessions.forms"), (source, target)
                assert not target.startswith("progress"), (source, target)


def test_there_is_no_import_cycle_between_modules():
    graph: dict[str, set[str]] = {}
    for source, target in project_imports():
        graph.setdefault(source, set()).add(target)

    finished: set[str] = set()

    def cycle_from(module: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
        for following in sorted(graph.get(module, ())):
            if following in path:
                return (*path, following)
            if following not in finished and (found := cycle_from(following, (*path, following))):
                return found
        finished.add(module)
        return None

    for module in sorted(graph):
        assert cycle_from(module, (module,)) is None


def test_no_production_module_grows_past_450_lines():
    long = {
        name: lines
        for name, path in production_modules().items()
        if (lines := len(path.read_text().splitlines())) > 450
    }
    assert not long
