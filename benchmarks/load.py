"""A bounded load of signed-in users on a running portal: threads and ``requests``.

Each client signs in through the login form with a session of its own, waits for the
others, then opens every page ``rounds`` times in an order of its own, one request after
the other, as a user clicking through. A page that does not answer 200 (a redirect to the
login page included) is an error. No think time: the figures are the server's worst case
for that many users.
"""

import math
import random
import re
import threading
import time
from dataclasses import dataclass

import requests

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Sample:
    page: str
    seconds: float
    ok: bool


def sign_in(base_url: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    login = f"{base_url}/accounts/login/"
    form = session.get(login, timeout=120)
    token = TOKEN.search(form.text).group(1)
    session.post(
        login,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": login},
        timeout=120,
    )
    if "sessionid" not in session.cookies:
        raise RuntimeError(f"{username} could not sign in at {login}")
    return session


def drive(
    base_url: str, credentials: list[tuple[str, str]], pages: dict[str, str], rounds: int = 1
) -> tuple[list[Sample], float]:
    """One thread per (username, password); every page ``rounds`` times each. Returns the
    samples and the wall seconds from the moment every client was signed in."""
    samples: list[Sample] = []
    started: list[float] = []
    ready = threading.Barrier(len(credentials), action=lambda: started.append(time.perf_counter()))
    failures: list[BaseException] = []

    def client(index: int, username: str, password: str) -> None:
        try:
            session = sign_in(base_url, username, password)
        except BaseException as error:  # the others must not wait for ever
            failures.append(error)
            ready.abort()
            raise
        walk = list(pages.items()) * rounds
        random.Random(index).shuffle(walk)
        ready.wait()
        for name, path in walk:
            begun = time.perf_counter()
            try:
                response = session.get(base_url + path, allow_redirects=False, timeout=120)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            samples.append(Sample(name, time.perf_counter() - begun, ok))

    threads = [
        threading.Thread(target=client, args=(index, *credential), daemon=True)
        for index, credential in enumerate(credentials)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return samples, time.perf_counter() - started[0]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value at least ``fraction`` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(samples: list[Sample], seconds: float) -> tuple[list[dict], dict]:
    """One row per page (p50, p95 in ms, requests, errors) and the total."""
    rows = []
    for page in dict.fromkeys(sample.page for sample in samples):
        mine = [sample for sample in samples if sample.page == page]
        times = [sample.seconds * 1000 for sample in mine]
        rows.append(
            {
                "page": page,
                "p50_ms": round(percentile(times, 0.5)),
                "p95_ms": round(percentile(times, 0.95)),
                "requests": len(mine),
                "errors": sum(not sample.ok for sample in mine),
            }
        )
    total = {
        "page": "total",
        "requests": len(samples),
        "errors": sum(not sample.ok for sample in samples),
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(samples) / seconds, 1),
    }
    return sorted(rows, key=lambda row: row["page"]), total
