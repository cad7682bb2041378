"""The load driver: Locust as a library, headless, in its own process (Locust patches the standard
library for gevent on import, which the rest of the harness must not get).

`python -m bench.loadgen SPEC.json` runs one phase and prints its results as JSON on the last line.
The spec names the host, the users of each kind with their session cookies, and how long to run.
Every request loop is bounded in time and stops by itself; traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, events, task
from locust.env import Environment

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
CONFIRMED = re.compile(r'name="confirmed"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="confirmed"')
BOOTH_VALUE = re.compile(r'<input[^>]*name="booth"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
CARD = re.compile(r'href="/visits/([0-9a-f-]{36})"[^>]*>(.*?)</a>', re.S)
CLEAN = re.compile(r'action="/board/booths/(\d+)/clean"')
STAMP = re.compile(r'data-board-stamp="([^"]+)"')
FREE_BOOTH = re.compile(r'class="tile tile-free" href="/board/booths/(\d+)">(.*?)</a>', re.S)

#: Requests whose times are also shown per status (204 "no change", 200 a drawn board).
BOARD_READS = ("GET /board/partial", "GET /display/partial", "saturate board")
SPEC: dict[str, Any] = {}
TIMINGS: dict[str, list[float]] = defaultdict(list)
FAILURES: dict[str, int] = defaultdict(int)
ERRORS: dict[str, str] = {}


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    if not found:
        return None
    return next((group for group in found.groups() if group is not None), None)


class SignedIn(FastHttpUser):
    """A signed-in user on geventhttpclient (Locust's FastHttpUser): the load generator shares
    the two cores with the server, so the cheaper client leaves more of them to what is measured."""

    abstract = True
    role = ""
    #: Seconds between one task and the next (0: as fast as the server answers).
    pacing = 0.0

    def on_start(self) -> None:
        cookies = SPEC["cookies"][self.role]
        index = SPEC.setdefault("_next", {}).get(self.role, 0)
        SPEC["_next"][self.role] = index + 1
        self.cookie = f"{SPEC['cookie_name']}={cookies[index % len(cookies)]}"
        self.csrf: str | None = None
        # Each tablet's (and person's) timer starts when its page was opened, not when the load
        # generator happened to start it: Locust starts users in batches, and its
        # constant_pacing keeps each batch's requests at the same instant for the whole run.
        self.next_beat = time.perf_counter() + random.uniform(0, self.pacing)

    def wait_time(self) -> float:
        """Until this user's next beat (as an htmx `every 3s` timer): fixed pacing from its own
        start, whatever each request took."""
        if not self.pacing:
            return 0.0
        now = time.perf_counter()
        while self.next_beat <= now:
            self.next_beat += self.pacing
        return self.next_beat - now

    def call(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("allow_redirects", False)
        kwargs["headers"] = {**kwargs.get("headers", {}), "Cookie": self.cookie}
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as reply:
            if reply.status_code in (200, 204, 302, 303, 409):
                reply.success()
            else:
                reply.failure(f"HTTP {reply.status_code} {reply.error or ''}".strip())
            return reply

    def read_board(self, name: str, path: str = "/board/partial") -> Any:
        """Poll the board as the page's script does: sending the stamp of the board last shown,
        so an unchanged board is answered 204 with no body."""
        headers = {"HX-Request": "true"}
        stamp = getattr(self, "stamp", None)
        if stamp:
            headers["X-Board-Stamp"] = stamp
        reply = self.call("GET", path, name, headers=headers)
        if reply.status_code == 200:
            self.stamp = _first(STAMP, reply.text)
        return reply

    def token(self, page: str | None = None) -> str:
        if page:
            found = _first(CSRF, page)
            if found:
                self.csrf = found
        if self.csrf is None:
            page = self.call("GET", "/checkin", "GET /checkin").text
            self.csrf = _first(CSRF, page)
        assert self.csrf
        return self.csrf


class Tablet(SignedIn):
    """A tablet on the wall polling the board."""

    role = "nurse"
    pacing = 3.0

    @task
    def poll(self) -> None:
        self.read_board("GET /board/partial")


class WallDisplay(SignedIn):
    """A wall-board display: paired, nobody signed in, polling its own board."""

    role = "display"
    pacing = 3.0

    @task
    def poll(self) -> None:
        self.read_board("GET /display/partial", "/display/partial")


SMOKING_BOOTHS: set[str] = set()


class Desk(SignedIn):
    """The front desk: a regular by code (looked up, then confirmed), a new client, or a walk-in."""

    role = "desk"
    pacing = 30.0

    @task
    def check_in(self) -> None:
        page = self.call("GET", "/checkin", "GET /checkin").text
        csrf = self.token(page)
        key = _first(re.compile(r'name="submission_key"[^>]*value="([^"]+)"'), page) or str(
            uuid.uuid4()
        )
        free = [VALUE.search(tag).group(1) for tag in BOOTH_VALUE.findall(page)]  # type: ignore[union-attr]
        route = random.choice(("inject", "inject", "smoke", "snort"))
        suitable = [
            b for b in free if b != "waiting" and ((b in SMOKING_BOOTHS) == (route == "smoke"))
        ]
        form = {
            "csrf_token": csrf,
            "submission_key": key,
            "substances": random.choice(("heroin", "crack", "cocaine", "ketamine")),
            "route": route,
            "drug_checked": "no",
            "booth": random.choice(suitable) if suitable else "waiting",
            "submit": "Check in",
        }
        roll = random.random()
        if roll < 0.1:
            form["walk_in"] = "y"
        else:
            code = (
                random.choice(SPEC["regular_codes"])
                if roll < 0.8
                else random.choice(SPEC["new_codes"])
            )
            found = self.call(
                "POST",
                "/checkin",
                "POST /checkin (find client)",
                data={
                    "csrf_token": csrf,
                    "client_code": code,
                    "submission_key": key,
                    "find": "Find",
                },
            )
            form["client_code"] = code
            form["confirmed"] = _first(CONFIRMED, found.text) or ""
        self.call("POST", "/checkin", "POST /checkin", data=form)


class BusyDesk(Desk):
    """The desk at ten times its rate (a check-in every 3 s): enough check-ins in a phase for
    their p95 to mean something, beside the floor's own tablets and nurses."""

    pacing = 3.0


class Nurse(SignedIn):
    """A nurse: reads the board, opens a tile, records a check or moves the client on."""

    role = "nurse"
    pacing = 15.0

    @task
    def round(self) -> None:
        board = self.call(
            "GET", "/board/partial", "GET /board/partial", headers={"HX-Request": "true"}
        ).text
        csrf = self.token(board)
        for booth_id in CLEAN.findall(board)[:1]:
            self.call("POST", f"/board/booths/{booth_id}/clean", "POST clean booth",
                      data={"csrf_token": csrf})  # fmt: skip
        waiting_at = board.find('aria-label="Waiting list"')
        aftercare_at = board.find('aria-label="Aftercare"')
        cards = [(m.start(), m.group(1), m.group(2)) for m in CARD.finditer(board)]
        if not cards:
            return
        at, visit_id, text = random.choice(cards)
        where = "booth" if at < waiting_at else ("waiting" if at < aftercare_at else "aftercare")
        if random.random() < 0.5:
            self.call("GET", f"/visits/{visit_id}", "GET /visits/[id]")
        roll = random.random()
        if where == "waiting":
            smoker = "Smoke" in text
            free = [
                booth for booth, tile in FREE_BOOTH.findall(board) if ("smoking" in tile) == smoker
            ]
            if free:
                self.call("POST", f"/visits/{visit_id}/booth", "POST move to booth",
                          data={"csrf_token": csrf, "expected_status": "waiting",
                                "booth": random.choice(free)})  # fmt: skip
        elif where == "booth" and roll < 0.3:
            self.call("POST", f"/visits/{visit_id}/aftercare", "POST move to aftercare",
                      data={"csrf_token": csrf, "expected_status": "in_booth"})  # fmt: skip
        elif where == "aftercare" and roll < 0.35:
            self.call("POST", f"/visits/{visit_id}/check-out", "POST check out",
                      data={"csrf_token": csrf, "expected_status": "aftercare"})  # fmt: skip
        elif random.random() < 0.7:
            self.call("POST", f"/visits/{visit_id}/quick-check", "POST quick check",
                      data={"csrf_token": csrf, "submission_key": str(uuid.uuid4())})  # fmt: skip
        else:
            self.call("GET", f"/visits/{visit_id}/observations/new", "GET observation form")
            self.call(
                "POST",
                f"/visits/{visit_id}/observations/new",
                "POST full observation",
                data={
                    "csrf_token": csrf, "submission_key": str(uuid.uuid4()),
                    "respiratory_rate": str(random.randint(10, 20)),
                    "spo2": str(random.randint(93, 100)), "pulse": str(random.randint(60, 110)),
                    "systolic_bp": str(random.randint(100, 140)),
                    "temperature": "36.8", "consciousness": "A", "poss": "1", "rass": "0",
                    "pupils": "normal", "vomiting": "no", "submit": "Save observation",
                },
            )  # fmt: skip


RESPONSE = re.compile(r"/incidents/([0-9a-f-]{36})/respond")
NALOXONE_KEY = re.compile(r'id="key-naloxone" value="([0-9a-f-]{36})"')


class Responder(SignedIn):
    """A nurse on the emergency screen: starts a response for someone on the floor, then taps
    Naloxone as the screen sends it (htmx: the POST is answered with the log and the totals
    swapped in place, and a fresh key for the next tap), with the screen's own poll of the log
    between taps. The tap's round trip is the emergency screen's timing."""

    role = "nurse"
    pacing = 3.0

    def on_start(self) -> None:
        super().on_start()
        self.incident: str | None = None
        self.key: str | None = None
        self.taps = 0

    def begin_response(self) -> None:
        """Start a response from the first tile (not `start`: Locust's own spawning method)."""
        board = self.call(
            "GET", "/board/partial", "GET /board/partial", headers={"HX-Request": "true"}
        ).text
        csrf = self.token(board)
        cards = CARD.findall(board)
        if not cards:
            return
        visit_id = cards[0][0]
        started = self.call("POST", f"/incidents/start/{visit_id}", "POST start response",
                            data={"csrf_token": csrf})  # fmt: skip
        found = RESPONSE.search(started.headers.get("Location", "") or "")
        if found:
            self.incident = found.group(1)
            screen = self.call("GET", f"/incidents/{self.incident}/respond", "GET response screen")
            self.token(screen.text)
            self.key = _first(NALOXONE_KEY, screen.text)

    @task
    def tap(self) -> None:
        if self.incident is None:
            self.begin_response()
            return
        self.taps += 1
        if self.taps % 2 == 0:
            # The screen's poll of the log and totals (every 5 s on a tablet).
            self.call("GET", f"/incidents/{self.incident}/respond/log",
                      "GET response log (poll)", headers={"HX-Request": "true"})  # fmt: skip
            return
        reply = self.call(
            "POST",
            f"/incidents/{self.incident}/actions",
            "POST naloxone tap (htmx)",
            headers={"HX-Request": "true"},
            data={"csrf_token": self.token(), "kind": "naloxone",
                  "submission_key": self.key or str(uuid.uuid4()), "dose_mg": "0.4",
                  "naloxone_route": "intramuscular"},
        )  # fmt: skip
        if reply.status_code != 200 or 'id="naloxone-total"' not in (reply.text or ""):
            reply.failure("the tap was not answered with the swapped log and totals")
        self.key = _first(NALOXONE_KEY, reply.text or "")


class BoardFlood(SignedIn):
    """As many board reads as the server will take (for the ceiling ratio)."""

    role = "nurse"

    @task
    def read(self) -> None:
        self.read_board("saturate board", SPEC.get("board_path", "/board/partial"))


class BoardNoStampFlood(SignedIn):
    """As many board reads as the server will take from tablets that send no stamp (a page just
    opened): never answered 204, but served the board another tablet just had drawn when it is
    still current."""

    role = "nurse"

    @task
    def read(self) -> None:
        self.call("GET", "/board/partial", "saturate board (no stamp)",
                  headers={"HX-Request": "true"})  # fmt: skip


class CheckInFlood(SignedIn):
    """As many walk-in check-ins onto the waiting list as the server will take."""

    role = "desk"

    @task
    def check_in(self) -> None:
        if SPEC.get("ceiling"):
            self.call("POST", "/checkin", "saturate check-in")
            return
        self.call("POST", "/checkin", "saturate check-in",
                  data={"csrf_token": self.token(), "walk_in": "y", "substances": "heroin",
                        "route": "inject", "drug_checked": "no", "booth": "waiting",
                        "submission_key": str(uuid.uuid4()), "submit": "Check in"})  # fmt: skip


KINDS = {
    "tablet": Tablet,
    "display": WallDisplay,
    "desk": Desk,
    "busy_desk": BusyDesk,
    "nurse": Nurse,
    "responder": Responder,
    "board_flood": BoardFlood,
    "board_nostamp_flood": BoardNoStampFlood,
    "checkin_flood": CheckInFlood,
}


def _record(
    request_type: str,
    name: str,
    response_time: float,
    exception: Any,
    response: Any = None,
    **_: Any,
) -> None:
    if SPEC.get("_measuring"):
        TIMINGS[name].append(response_time)
        if name.startswith(BOARD_READS) and response is not None:
            # "No change" (204) and a drawn board (200) are different work: shown apart too.
            TIMINGS[f"{name} [{response.status_code}]"].append(response_time)
        if exception is not None:
            FAILURES[name] += 1
            ERRORS.setdefault(name, str(exception)[:200])


def main(path: str) -> None:
    SPEC.update(json.loads(Path(path).read_text()))
    SMOKING_BOOTHS.update(str(booth) for booth in SPEC.get("smoking_booths", []))
    classes = []
    for kind, count in SPEC["users"].items():
        if not count:
            continue
        user_class = KINDS[kind]
        user_class.fixed_count = count
        user_class.host = SPEC["host"]
        classes.append(user_class)
    environment = Environment(user_classes=classes, events=events)
    events.request.add_listener(_record)
    runner = environment.create_local_runner()
    total = sum(SPEC["users"].values())
    runner.start(total, spawn_rate=max(1, total / SPEC.get("ramp_seconds", 3)))
    # Spawning, then every timer's first beat (the longest pacing of the phase's users).
    gevent.sleep(SPEC.get("ramp_seconds", 3) + max(user.pacing for user in classes))
    SPEC["_measuring"] = True
    started = time.perf_counter()
    gevent.sleep(SPEC["duration"])
    SPEC["_measuring"] = False
    elapsed = time.perf_counter() - started
    runner.quit()
    print(json.dumps({"seconds": elapsed, "timings": TIMINGS, "failures": FAILURES,
                      "errors": ERRORS}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
