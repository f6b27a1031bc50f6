"""Alerts never carry what their user may not see: folder ingests of the sample corpus with an
access manifest, a followed paper with a non-public step, revoked users; e-mail through a real
SMTP server on 127.0.0.1 (STARTTLS, login) and the feed as the service renders it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from assistant.access import LOCAL_OPERATOR
from assistant.auth.users import UserStore
from assistant.errors import InvalidRequestError, NotFoundError
from assistant.models import SearchFilters
from assistant.service import Caller
from assistant.services import Services
from tests.smtp_server import SmtpServer, running_smtp

SECRET = "fg-2025-003-kampagnenplan-hitzeschutz.txt"  # fraktion-gruen only
HEAT = ("a-2025-058-hitzeschutz-stadtbaeume.md", "iv-2025-004-stadtbaumkataster-hitze.pdf")


@dataclass
class Setup:
    services: Services
    smtp: SmtpServer
    folder: Path
    corpus: Path

    def caller(self, name: str) -> Caller:
        user = UserStore(self.services.settings.users_path).get(name)
        assert user is not None
        return Caller(user.principal(), "cli")

    def run(self, paths: list[Path], access: frozenset[str] | None = None) -> dict[str, object]:
        """One ingest run followed by matching and delivery, as `ratsinfo ingest` does it."""
        services = self.services
        with services.store.writing("ingest"):
            report = services.ingestor.ingest([str(p) for p in paths], access=access or frozenset({"public"}))
            matched = services.alerts.after_run(report.changes)
        return services.alerts.delivered_after(matched)

    def mails(self, name: str) -> list[EmailMessage]:
        return self.smtp.mailbox.to(f"{name}@stadt.example")


def _everything(message: EmailMessage) -> str:
    return "\n".join(
        [str(message["Subject"]), *(part.get_content() for part in message.walk() if not part.is_multipart())]
    )


@pytest.fixture
def setup(make_services: Callable[..., Services], sample_corpus: Path, tmp_path: Path) -> Iterator[Setup]:
    with running_smtp(tmp_path / "smtp") as smtp:
        services = make_services(
            body_groups={"Hauptausschuss": ["gremium-hauptausschuss"]},
            public_base_url="https://ratsinfo.stadt.example",
            alerts_retry_s=0,
            **smtp.settings(),
        )
        users = UserStore(services.settings.users_path)
        users.add("anna", ["fraktion-gruen", "gremium-hauptausschuss"])
        users.add("bernd", ["fraktion-spd"])
        yield Setup(services, smtp, tmp_path, sample_corpus)


def _folder(
    setup: Setup, name: str, files: dict[str, Path], manifest: dict[str, list[str]] | None = None
) -> Path:
    folder = setup.folder / name
    for relative, source in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, folder / relative)
    if manifest:
        (folder / ".ratsinfo-access.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_a_restricted_paper_reaches_no_channel_of_another_group_not_even_as_a_count(setup: Setup) -> None:
    alerts = setup.services.alerts
    before = {"radweg.txt": setup.corpus / "public" / "a-2025-014-radweg-weserpromenade.txt"}
    setup.run([_folder(setup, "before", before)])
    for name in ("anna", "bernd"):
        alerts.add_search(setup.caller(name), "Hitze", "Hitzeaktionsplan", SearchFilters())
        alerts.set_mail(setup.caller(name), f"{name}@stadt.example", "immediate")
    files = {f"oeffentlich/{name}": setup.corpus / "public" / name for name in HEAT}
    files[f"geheim/{SECRET}"] = setup.corpus / "restricted" / "fraktion-gruen" / SECRET
    manifest = {"geheim/*": ["fraktion-gruen"], "*": ["public"]}
    summary = setup.run([_folder(setup, "run", files, manifest)])
    assert summary["delivery"]["sent"] == 2  # type: ignore[index]

    documents = setup.services.store.documents()
    secret = next(doc for doc in documents.values() if doc.access == frozenset({"fraktion-gruen"}))
    leaks = [secret.doc_id, secret.reference, secret.title, "Kampagnenplan"]
    anna_new = alerts.new_alerts(setup.caller("anna")).alerts
    bernd_new = alerts.new_alerts(setup.caller("bernd")).alerts
    assert secret.doc_id in {a.doc_id for a in anna_new} and len(anna_new) == len(bernd_new) + 1
    assert bernd_new and not [leak for leak in leaks if leak in str([a.model_dump() for a in bernd_new])]

    [anna_mail], [bernd_mail] = setup.mails("anna"), setup.mails("bernd")
    assert secret.reference in _everything(anna_mail)
    counted = "ein neuer Hinweis" if len(bernd_new) == 1 else f"{len(bernd_new)} neue Hinweise"
    assert bernd_mail["Subject"] == f"Ratsinfo: {counted} für Sie"
    assert not [leak for leak in leaks if leak in _everything(bernd_mail)]
    user, feed = alerts.feed(_secret(alerts.create_feed(setup.caller("bernd")).url))
    assert user == "bernd" and len(feed) == len(bernd_new)
    assert not [leak for leak in leaks if leak in str([item.model_dump() for item in feed])]

    # Access taken away later: the stored alert is no longer shown to anna either.
    operator = Caller(LOCAL_OPERATOR, "cli")
    setup.services.service.set_access(operator, secret.doc_id, frozenset({"fraktion-spd"}))
    assert secret.doc_id not in {a.doc_id for a in alerts.new_alerts(setup.caller("anna")).alerts}


def _secret(url: str) -> str:
    return url.rsplit("/", 1)[1]


BERATUNG_V1 = """Stadt Lindenau an der Weser
Antrag
Drucksache Nr.: A/2025/090
Datum: 02.05.2025
Einreicher: SPD-Fraktion
Betreff: Neue Trinkwasserbrunnen in der Altstadt

Beratungsfolge:
Ausschuss für Umwelt und Klimaschutz   08.05.2025   öffentlich   Vorberatung

Beschlussvorschlag:
Die Verwaltung stellt bis zum Sommer vier Trinkwasserbrunnen in der Altstadt auf.
"""
BERATUNG_V2 = BERATUNG_V1.replace(
    "Vorberatung\n",
    "Vorberatung\nHauptausschuss   15.05.2025   nichtöffentlich   Vorberatung\n"
    "Stadtrat   27.05.2025   öffentlich   Entscheidung\n",
)


def test_a_followed_paper_reports_new_steps_but_a_non_public_one_only_to_its_bodys_group(
    setup: Setup,
) -> None:
    folder = setup.folder / "papers"
    folder.mkdir()
    paper = folder / "a-2025-090-brunnen.txt"
    paper.write_text(BERATUNG_V1, encoding="utf-8")
    setup.run([folder])
    alerts = setup.services.alerts
    for name in ("anna", "bernd"):
        alerts.follow(setup.caller(name), "A/2025/090")
    assert setup.run([folder])["alerts"] == 0  # nothing changed
    paper.write_text(BERATUNG_V2, encoding="utf-8")
    summary = setup.run([folder])
    assert summary["alerts"] == 2 and summary["users"] == 2

    [anna] = alerts.new_alerts(setup.caller("anna")).alerts
    [bernd] = alerts.new_alerts(setup.caller("bernd")).alerts
    assert any("Hauptausschuss" in event for event in anna.events)
    assert any("Stadtrat am 27.05.2025" in event for event in bernd.events)
    assert "Hauptausschuss" not in bernd.model_dump_json()
    assert any("Datei" in event for event in bernd.events)  # the paper's text changed
    assert "Umwelt" not in " ".join(bernd.events)  # known before: not news


def test_revoking_a_user_stops_the_next_runs_alerts_and_their_waiting_mail(setup: Setup) -> None:
    alerts = setup.services.alerts
    alerts.add_search(setup.caller("bernd"), "Hitze", "Stadtbäume Hitze", SearchFilters())
    alerts.set_mail(setup.caller("bernd"), "bernd@stadt.example", "daily")
    setup.run([_folder(setup, "one", {HEAT[0]: setup.corpus / "public" / HEAT[0]})])
    assert len(setup.mails("bernd")) == 1  # the first daily digest goes at once
    setup.run([_folder(setup, "two", {HEAT[1]: setup.corpus / "public" / HEAT[1]})])
    assert len(setup.mails("bernd")) == 1 and alerts.status().counts["pending"] == 1  # waits a day
    feed_url = alerts.create_feed(setup.caller("bernd")).url

    UserStore(setup.services.settings.users_path).revoke("bernd")
    third = {"hitze.md": setup.corpus / "restricted" / "fraktion-gruen" / SECRET}
    assert setup.run([_folder(setup, "three", third)])["alerts"] == 0
    assert alerts.deliver(force=True).dropped == 1 and len(setup.mails("bernd")) == 1
    with pytest.raises(NotFoundError):
        alerts.feed(_secret(feed_url))


def test_only_what_a_run_changed_is_matched_and_a_changed_document_is_reported_again(setup: Setup) -> None:
    alerts = setup.services.alerts
    folder = _folder(setup, "docs", {HEAT[0]: setup.corpus / "public" / HEAT[0]})
    setup.run([folder])
    alerts.add_search(setup.caller("bernd"), "Hitze", "Stadtbäume Hitze", SearchFilters())
    assert setup.run([folder])["alerts"] == 0  # in the store before the search: not news
    shutil.copy(setup.corpus / "public" / HEAT[1], folder / HEAT[1])
    assert setup.run([folder])["alerts"] == 1
    changed = folder / HEAT[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nNachtrag: zwei weitere Trinkbrunnen.\n", "utf-8"
    )
    assert setup.run([folder])["alerts"] == 1
    reasons = [a.reason for a in alerts.new_alerts(setup.caller("bernd")).alerts]
    assert reasons == ["Suche „Hitze“ · geändertes Dokument", "Suche „Hitze“ · neues Dokument"]


def test_a_query_of_stop_words_is_refused_and_sharing_stop_words_is_no_match(setup: Setup) -> None:
    alerts = setup.services.alerts
    with pytest.raises(InvalidRequestError, match="no search terms"):
        alerts.add_search(setup.caller("bernd"), "Füllwörter", "und der die das", SearchFilters())
    alerts.add_search(setup.caller("bernd"), "Windkraft", "Windkraft und die Bürger", SearchFilters())
    files = {name: setup.corpus / "public" / name for name in (*HEAT, "a-2025-014-radweg-weserpromenade.txt")}
    assert setup.run([_folder(setup, "docs", files)])["alerts"] == 0
