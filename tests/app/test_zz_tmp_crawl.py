import re
from benchmarks.pages import build_world, page_calls, signed_in_client
from eventapp.extensions import db

JARGON = [r"\brule \d", r"\brègle \d", "min_audience", "Borne prouvée", "Coût du déplacement",
          r"\bRotation\b", r"\br[1-9]\b", "slot-", "défini par les organisateurs", r"\bfaible\b",
          "Traceback", r"\bmin_", "change_penalty", "infeasible", "INFEASIBLE", "OPTIMAL",
          "FEASIBLE", r"\bbound\b", "objective"]


def test_crawl(app):
    world = build_world(130, seed=3)
    db.session.remove()
    client = signed_in_client(app)
    found = {}
    for call in page_calls(app):
        if call.who != "organiser" or "api" in call.endpoint:
            continue
        try:
            url = world.url(call)
        except KeyError:
            continue
        response = client.get(url, headers={"Accept-Language": "fr-FR"})
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", response.get_data(as_text=True), flags=re.S)
        visible = re.sub(r"<[^>]+>", " ", text)
        for pattern in JARGON:
            for m in re.finditer(pattern, visible):
                found.setdefault((call.endpoint, pattern), visible[max(0, m.start()-60):m.end()+60].replace("\n", " "))
    for key, ctx in sorted(found.items()):
        print(key, "::", re.sub(r"\s+", " ", ctx))
