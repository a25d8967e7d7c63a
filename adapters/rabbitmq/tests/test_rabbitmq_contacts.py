"""The contact file the relay reads phone numbers and e-mail addresses from: strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from ungeforloeb.domain.values import ContactKind
from ungeforloeb_rabbitmq import ContactDirectoryError, load_contacts


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contacts.toml"
    path.write_text(text)
    return path


def test_contacts_are_found_by_kind_and_id(tmp_path: Path) -> None:
    path = write(tmp_path, '[contacts."cw-1"]\nkind = "person"\nphone = "12345678"\n'
                           'email = "anne.jensen@kk.dk"\n')
    directory = load_contacts(path)
    found = directory.find(ContactKind.PERSON, "cw-1")
    assert found is not None and found.email == "anne.jensen@kk.dk"
    assert directory.find(ContactKind.TEAM, "cw-1") is None


@pytest.mark.parametrize(("text", "error"), [
    ('[contacts."cw-1"]\nkind = "person"\nphone = "12345678"\n',
     "contacts.cw-1 must give both phone and email"),
    ('[contacts."cw-1"]\nkind = "person"\nphone = "12345678"\nemail = "a.b@kk.dk"\nname = "x"\n',
     "contacts.cw-1: extra fields found (name) @ $"),
    ('[contacts."Anne Jensen"]\nkind = "person"\nphone = "12345678"\nemail = "a.b@kk.dk"\n',
     "contacts.Anne Jensen:"),
    ('[people.x]\nkind = "team"\n', "unknown top-level keys ['people']"),
    ("contacts = [", "not TOML"),
])
def test_a_bad_contact_file_is_refused_naming_the_file(tmp_path: Path, text: str,
                                                       error: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ContactDirectoryError, match=f"^{path}: ") as caught:
        load_contacts(path)
    assert error in str(caught.value)


def test_a_missing_contact_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContactDirectoryError, match="cannot be read"):
        load_contacts(tmp_path / "nope.toml")
