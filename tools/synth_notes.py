"""Synthesize meeting transcripts with known topics and action items: the notes evaluation set.

A meeting is a sequence of topic blocks. Each block's turns are sentences about its subject, mixed
with conversational filler ("Sounds good.") and distractors that look like action items but are
not ("Can you hear me?", "I will be honest…", "Let's move on."); 1–3 real action items per block,
each a commitment ("I will…"), a request ("Bob, could you…", answered by Bob), a joint step
("Let's…") or a deadline ("…by Friday"). The truth is the topic of every turn, so topic
boundaries are known to the turn, and which turn holds which action item and who owns it.

This is text, not audio: the evaluation runs on the truth turns (what a perfect transcriber would
give). ``synth_meeting.py`` speaks such turns with espeak when audio is wanted.

Example: .venv/bin/python tools/synth_notes.py --out /tmp/notes-set --meetings 12 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

NAMES = ["Alice", "Bob", "Carol", "Dmitri", "Erin", "Farid"]

# Each topic: sentences about it, and action items of it. ``{who}`` is replaced by a participant's name.
TOPICS: dict[str, dict[str, list[str]]] = {
    "storage migration": {
        "say": [
            "The new bucket policy for the storage migration went live on Tuesday without incidents.",
            "A few uploads still fail during the nightly batch because the bucket rejects large objects.",
            "The error rate of the uploads was below one percent, mostly timeouts from one region.",
            "The old buckets still hold about forty terabytes of archived recordings.",
            "Copying the archive to the new storage class would cut the storage bill by a third.",
            "The migration script skips objects whose checksum does not match.",
            "We saw two checksum mismatches in the whole migration so far.",
            "Lifecycle rules on the new bucket move recordings to cold storage after ninety days.",
            "The replication lag between the regions stays under five minutes.",
            "Nobody reads the archived recordings except for the legal team.",
            "The bucket versioning doubled the object count during the migration.",
            "The storage dashboard shows the upload failures per region.",
        ],
        "act": [
            "I will open a ticket for the retry with exponential backoff after the meeting.",
            "{who}, can you send me the list of failed uploads by Friday?",
            "Let's delete the old bucket versions once the migration report is signed off.",
            "I'll write the runbook for the storage migration before Thursday.",
        ],
    },
    "mobile release": {
        "say": [
            "Most customers like the new search in the mobile release.",
            "The login screen of the app confuses people who use single sign on.",
            "Crash reports from the mobile release dropped by half since version four.",
            "The app store review took three days this time.",
            "Android users complain that notifications arrive twice.",
            "The onboarding screens of the app have a drop off of thirty percent.",
            "Dark mode is the most requested feature in the app store reviews.",
            "The tablet layout of the app still looks stretched on landscape screens.",
            "Push notification opt in is higher on Android than on iPhone.",
            "The mobile team wants to ship the release on a two week cadence.",
            "Beta testers found the new gesture navigation hard to discover.",
        ],
        "act": [
            "{who}, could you run a short usability test of the login screen with five volunteers?",
            "I can fix the duplicate Android notifications this sprint.",
            "Please file the dark mode request in the mobile backlog before the planning.",
            "Let's ship the tablet layout fix in the next mobile release.",
        ],
    },
    "conference budget": {
        "say": [
            "Finance approved travel to the conference in April for two people.",
            "The conference tickets are cheaper if we book them this month.",
            "Hotels near the conference venue cost almost three hundred euros a night.",
            "Our talk proposal about the transcription pipeline was accepted.",
            "The sponsor booth at the conference would cost twelve thousand euros.",
            "Last year the conference brought us four enterprise leads.",
            "The travel budget for the whole year is already half spent.",
            "Flights to the conference city are cheaper from Frankfurt.",
            "The conference organisers want the slides two weeks before the talk.",
            "A booth would need at least three people on site for two days.",
        ],
        "act": [
            "{who}, please send me the hotel options for the conference before Friday.",
            "I will book the conference tickets today.",
            "Let's decide on the sponsor booth by the end of the week.",
            "I'll draft the slides for the conference talk by next Monday.",
        ],
    },
    "database upgrade": {
        "say": [
            "The database upgrade moves us from version twelve to version sixteen.",
            "We will upgrade the replicas first and the primary database one week later.",
            "The upgrade needs about twenty minutes of read only time for the primary.",
            "Two extensions we use are not compatible with the new database version yet.",
            "Query plans changed on the staging database after the upgrade.",
            "The slowest report query got four times faster on the upgraded replica.",
            "Backups of the database are verified every night by a restore test.",
            "The restore procedure of the database took forty minutes yesterday.",
            "Connection pooling settings have to change with the new database version.",
            "The database disk is at seventy percent and grows two percent a month.",
        ],
        "act": [
            "I will schedule the replica upgrade for Tuesday night.",
            "{who}, can you check the two incompatible extensions before the upgrade?",
            "Let's announce the read only window to the customers a week ahead.",
            "I'll update the connection pooling settings on staging tomorrow.",
        ],
    },
    "onboarding documentation": {
        "say": [
            "New engineers need two weeks before their first merged change.",
            "The onboarding documentation still describes the old deployment process.",
            "Half of the onboarding questions are about access to the staging environment.",
            "The architecture overview in the wiki is three years old.",
            "Onboarding buddies helped the last two hires a lot.",
            "The setup script for laptops fails on the newest operating system.",
            "Nobody owns the onboarding documentation at the moment.",
            "The glossary of internal terms is the most visited wiki page.",
            "Video walkthroughs of the codebase were popular with the interns.",
            "The onboarding checklist has forty items and many are outdated.",
        ],
        "act": [
            "I will grant {who} access to the staging environment right after this call.",
            "{who}, could you rewrite the deployment section of the onboarding documentation?",
            "Let's assign an owner for every onboarding page.",
            "I can fix the laptop setup script by Wednesday.",
        ],
    },
    "quarterly report": {
        "say": [
            "The quarterly report is due to the board next Monday.",
            "Revenue grew eight percent compared to the last quarter.",
            "Churn went up slightly among the small business customers.",
            "The sales numbers for the quarter are in the shared spreadsheet already.",
            "Support tickets per customer fell for the third quarter in a row.",
            "The board asked for a breakdown of revenue by region in the quarterly report.",
            "Hiring is behind plan by three engineers this quarter.",
            "Cloud costs grew faster than revenue in the last quarter.",
            "The quarterly report template changed after the last board meeting.",
            "Gross margin stayed at seventy one percent this quarter.",
        ],
        "act": [
            "I can draft the summary of the quarterly report if someone sends me the numbers.",
            "{who}, please add the revenue breakdown by region to the report by Thursday.",
            "I will have a draft of the quarterly report ready by Thursday.",
            "Let's review the cloud cost numbers together on Friday.",
        ],
    },
    "hiring": {
        "say": [
            "We have three open positions for backend engineers.",
            "The hiring pipeline has twelve candidates in the technical interview stage.",
            "Two candidates declined our offer because of the salary.",
            "The take home exercise takes candidates about four hours.",
            "Recruiters say the job description asks for too many years of experience.",
            "Referrals bring the best candidates but only a few of them.",
            "Interview feedback often arrives a week after the interview.",
            "The hiring committee meets every second Wednesday.",
            "Remote candidates asked whether we support working from another country.",
            "Our interview questions have not changed for two years.",
        ],
        "act": [
            "{who}, could you shorten the take home exercise to two hours?",
            "I will rewrite the job description for the backend role this week.",
            "Let's require interview feedback within two days.",
            "I'll ask legal about hiring in other countries before the next committee.",
        ],
    },
    "security audit": {
        "say": [
            "The external security audit starts in three weeks.",
            "The auditors want a list of every service that stores personal data.",
            "Two of our dependencies have known vulnerabilities with available patches.",
            "Single sign on is enforced for all internal tools except the wiki.",
            "The penetration test last year found an open redirect in the login flow.",
            "API keys are rotated every ninety days by the security tooling.",
            "Audit logs are kept for one year in the security archive.",
            "Some laptops still run without disk encryption.",
            "The incident response plan was last tested in the spring.",
            "The auditors will interview the on call engineers.",
        ],
        "act": [
            "I will patch the two vulnerable dependencies before the audit.",
            "{who}, can you compile the list of services that store personal data by next Friday?",
            "Let's enforce single sign on for the wiki as well.",
            "Please make sure every laptop has disk encryption enabled before the audit.",
        ],
    },
    "customer support": {
        "say": [
            "The support queue has two hundred open tickets this morning.",
            "Most support tickets are about password resets and invoices.",
            "The first response time of support went up to six hours.",
            "Customers rate the support chat higher than the email support.",
            "The support team wants macros for the most common answers.",
            "Enterprise customers expect a phone line for urgent support.",
            "Support escalations to engineering doubled after the last release.",
            "The help center articles are only available in English.",
            "A chatbot could answer the invoice questions automatically.",
            "Weekend support is covered by one person at the moment.",
        ],
        "act": [
            "I will write the support macros for password resets and invoices.",
            "{who}, could you translate the top ten help center articles into German?",
            "Let's add a second person to the weekend support rotation.",
            "I'll look into chatbot vendors for the invoice questions by the end of the month.",
        ],
    },
    "office move": {
        "say": [
            "The lease of the current office ends in September.",
            "The new office has room for sixty desks and four meeting rooms.",
            "Moving the servers in the basement needs a weekend of downtime.",
            "Half of the team prefers working from home three days a week.",
            "The new office is ten minutes from the train station.",
            "Furniture for the new office arrives in August.",
            "The meeting rooms in the new office need video conference equipment.",
            "Parking at the new office is limited to twenty spaces.",
            "The movers quoted eight thousand euros for the whole office move.",
            "The landlord will repaint the new office before we move in.",
        ],
        "act": [
            "I will order the video conference equipment for the meeting rooms.",
            "{who}, please ask the movers for a second quote by next week.",
            "Let's run a survey about desk sharing before we order furniture.",
            "I'll plan the server move for the last weekend of August.",
        ],
    },
}

FILLER = [
    "Yeah.",
    "Okay.",
    "Right, makes sense.",
    "Sounds good to me.",
    "Hmm, interesting.",
    "I agree with that.",
    "Good point.",
    "Sure.",
    "Okay, thanks.",
    "Yes, exactly.",
    "That is good news.",
    "Fair enough.",
]
# Look like action items, are not: conversation management, capability, questions, past tense, opinions.
DISTRACTORS = [
    "I will be honest, I did not expect that.",
    "Can you hear me now?",
    "Let's move on to the next item.",
    "I can see your screen.",
    "I think we will see how it goes.",
    "Could you repeat that, please?",
    "We already shipped that last week.",
    "I sent the report yesterday.",
    "Did you finish the review?",
    "Let's see.",
    "I can imagine that.",
    "Can you say that again?",
    "Let's talk about that later.",
    "I will say it was a busy week.",
]
ANSWERS = ["Sure, no problem.", "Okay, will do.", "Yes, I'm on it.", "Sure thing."]
GREETING = ["Good morning everyone, thanks for joining.", "Hi all, let's get started."]
CLOSING = ["Thanks everyone, talk to you next week.", "Great, that's all for today."]


def _speak(text: str) -> float:
    return 0.4 * len(text.split()) + 0.3


def meeting(rng: random.Random, topics: int, turns_per_topic: tuple[int, int], speakers: int) -> dict[str, Any]:
    names = NAMES[:speakers]
    chosen = rng.sample(sorted(TOPICS), topics)
    turns: list[dict[str, Any]] = []
    clock = 0.0

    def add(speaker: str, text: str, topic: int, action: dict[str, Any] | None = None) -> None:
        nonlocal clock
        dur = _speak(text)
        turns.append(
            {
                "speaker": speaker,
                "text": text,
                "start": round(clock, 2),
                "end": round(clock + dur, 2),
                "topic": topic,
                "action": action,
            }
        )
        clock += dur + rng.uniform(0.2, 1.2)

    last = None
    for t_index, name in enumerate(chosen):
        block = TOPICS[name]
        says = rng.sample(block["say"], len(block["say"]))
        acts = rng.sample(block["act"], rng.randint(1, 3))
        n = rng.randint(*turns_per_topic)
        slots = sorted(rng.sample(range(1, n), min(len(acts), n - 1)))
        if t_index == 0:
            add(names[0], rng.choice(GREETING), 0)
        for i in range(n):
            speaker = rng.choice([s for s in names if s != last] or names)
            last = speaker
            if slots and i == slots[0]:
                slots.pop(0)
                template = acts.pop()
                who = rng.choice([s for s in names if s != speaker])
                text = template.replace("{who}", who)
                if template.startswith("{who}"):
                    owner: str | None = who
                elif template.startswith(("I ", "I'll")) and "{who}" not in template:
                    owner = speaker
                elif template.startswith(("I ", "I'll")):
                    owner = speaker  # "I will grant {who} access": the speaker does it
                else:
                    owner = None
                add(speaker, text, t_index, {"owner": owner})
                if template.startswith("{who}"):
                    add(who, rng.choice(ANSWERS), t_index)
                    last = who
                continue
            roll = rng.random()
            if roll < 0.62 and says:
                text = says.pop()
            elif roll < 0.9:
                text = rng.choice(FILLER)
            else:
                text = rng.choice(DISTRACTORS)
            add(speaker, text, t_index)
    add(names[0], rng.choice(CLOSING), len(chosen) - 1)
    bounds = [i for i in range(1, len(turns)) if turns[i]["topic"] != turns[i - 1]["topic"]]
    return {"topics": chosen, "boundaries": bounds, "turns": turns, "duration": round(clock, 2)}


def long_meeting(rng: random.Random, minutes: float, speakers: int = 4) -> dict[str, Any]:
    """A meeting of about ``minutes``: topic blocks again and again (for timing, not quality)."""
    parts: list[dict[str, Any]] = []
    total = 0.0
    while total < minutes * 60:
        m = meeting(rng, len(TOPICS), (30, 45), speakers)
        for t in m["turns"]:
            t["start"] += total
            t["end"] += total
        parts.append(m)
        total += m["duration"]
    turns = [t for m in parts for t in m["turns"] if t["end"] <= minutes * 60]
    return {"turns": turns, "duration": round(turns[-1]["end"], 2)}


def evaluation_set(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [meeting(rng, rng.randint(4, 7), (12, 24), rng.randint(3, 5)) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--meetings", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, m in enumerate(evaluation_set(args.meetings, args.seed)):
        (args.out / f"meeting-{i:02d}.json").write_text(json.dumps(m, indent=1))
    print(f"{args.meetings} meetings → {args.out}")


if __name__ == "__main__":
    main()
