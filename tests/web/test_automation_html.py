from __future__ import annotations

from syncoxide_web.automation.automation_html import describe_rule, jobs_html, rule_body, rules_html


def test_a_rule_reads_as_a_sentence() -> None:
    rule = {"id": 3, "name": "<scans>", "source_kind": "request", "source": "r_x",
            "match_types": ["image"], "output": "pdf", "target_folder": "Scans", "combine": True,
            "original": "keep", "place": "request link r_x"}  # fmt: skip
    assert describe_rule(rule) == "image in request link r_x → .pdf, gathered into one in /Scans"
    on_nas = {**rule, "source_kind": "connection", "place": "nas:Camera", "target_folder": "",
              "combine": False}  # fmt: skip
    assert describe_rule(on_nas) == "image in nas:Camera → .pdf next to each file"
    html = rules_html([rule])
    assert "&lt;scans&gt;" in html and 'data-id="3"' in html and 'data-action="remove"' in html


def test_the_form_becomes_the_api_body() -> None:
    form = {"name": " web ", "source_kind": "folder", "source": "/Videos/", "match": "media",
            "output": ".MP4", "target": "/Web/"}  # fmt: skip
    assert rule_body(form, combine=False, move=True) == {
        "name": "web", "source_kind": "folder", "source": "Videos", "output": "mp4",
        "target_folder": "Web", "combine": False, "original": "move", "match_types": ["media"],
    }  # fmt: skip
    assert "match_types" not in rule_body({**form, "match": ""}, combine=False, move=False)


def test_jobs_offer_what_fits_their_state() -> None:
    def job(status: str, **extra: object) -> dict[str, object]:
        return {"id": 1, "status": status, "progress": 0.5, "attempts": 1, "max_attempts": 3,
                "items": ["a.jpg"], "output": "Scans/x.pdf", "message": "", **extra}  # fmt: skip

    assert "running 50%" in jobs_html([job("running")])
    assert 'data-action="cancel"' in jobs_html([job("queued")])
    dead = jobs_html([job("dead", message="'bad.jpg' could not be read")])
    assert 'data-action="retry"' in dead and "could not be read" in dead
    assert "button" not in jobs_html([job("done")])
    assert "No jobs" in jobs_html([])
