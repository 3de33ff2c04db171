"""Benchmark badge printing: 1,000 badges as one A4 PDF (sheets of 8) and as one A6 PDF.

``python -m benchmarks.badges [--count 1000]`` prints, per layout, the seconds, the PDF's
size in MiB and its page count; target: under 30 s for 1,000 badges. Names are varied and
accented (some long enough to wrap), each badge has its own QR text of the length a signed
badge code has, so that nothing is cached across badges more than in real use.
"""

from __future__ import annotations

import argparse
import random
import time

from eventapp.checkin.badge_card import BadgeCard, Stripe
from eventapp.checkin.badge_render import render_badges_pdf

FIRST = ["Marie-Bénédicte", "Jean-François", "Anne-Laure", "Hélène", "Chloé", "Maël",
         "Noémie", "François", "Zoé", "Loïc", "Aïcha", "Jérôme", "Cécile", "Grégoire"]
LAST = ["de La Rochefoucauld-Doudeauville", "N’Diaye", "Lefèvre", "Dupont", "Bérénger",
        "Œhlenschläger", "Nguyễn", "Wiśniewska", "Ștefănescu", "Le Goff", "d’Ormesson"]
ORGANISATIONS = ["Centre social d’Écully", "Mairie de Villeurbanne", "CAF du Rhône",
                 "Fédération départementale des Œuvres laïques de la Haute-Saône",
                 "Association Les Petits Débrouillards", ""]
CATEGORIES = ["Association", "Financeur", "Élu·e", "Bénévole", ""]
ROOMS = [("Salle 1", "#c0392b", "rouge"), ("Salle 2", "#1f6fb2", "bleu"),
         ("Salle 3", "#f2d21b", "jaune"), ("Salle 4", "#2e8b57", "vert"),
         ("Amphithéâtre", "#ffffff", "blanc"), ("Salle Jean-Jaurès", "#7d3c98", "violet")]
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def make_cards(count: int, seed: int = 1) -> list[BadgeCard]:
    rng = random.Random(seed)
    cards = []
    for number in range(count):
        rooms = rng.sample(ROOMS, 4)
        stripes = tuple(Stripe(label, *room) for label, room in
                        zip(("Tour 1", "Tour 2", "Tour 3", "Atelier"), rooms, strict=True))
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(43))
        cards.append(BadgeCard(
            full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            organisation=rng.choice(ORGANISATIONS),
            category_label=rng.choice(CATEGORIES),
            event_name="Journée de restitution et d’échanges",
            event_date_label="Mercredi 7 décembre 2016",
            stripes=stripes,
            qr_text=f"B1.{number:05d}.{code}",
        ))
    return cards


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    cards = make_cards(args.count)
    render_badges_pdf(cards[:1], "a4")  # font loading is a one-off, not per print run
    print("| layout | badges | pages | seconds | MiB |")
    print("|---|---|---|---|---|")
    for layout, per_page in (("a4", 8), ("a6", 1)):
        start = time.perf_counter()
        data = render_badges_pdf(cards, layout)
        seconds = time.perf_counter() - start
        pages = -(-len(cards) // per_page)
        print(f"| {layout} | {len(cards):,} | {pages:,} | {seconds:.2f} | "
              f"{len(data) / 2**20:.2f} |", flush=True)


if __name__ == "__main__":
    main()
