#!/usr/bin/env python3
"""A running minibert server's memory under varied load: CLIENTS threads post POST /v1/embed requests of 1-16 random
CJK texts of 1-120 characters each (so batches of ever new lengths) for SECONDS, and the server's RSS is printed every
15 s. Python's standard library only.

usage: scripts/serve-soak.py PORT SECONDS SERVER_PID [CLIENTS=4]
  e.g. ./minibert serve --model models/bge-small-zh-v1.5 --port 18080 --threads 2 &
       scripts/serve-soak.py 18080 240 "$(pgrep -f 'serve --model')"
"""
import json
import random
import sys
import threading
import time
import urllib.request


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    raise SystemExit(f"serve-soak: no VmRSS for pid {pid}")


def main():
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    port, seconds, pid = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    clients = int(sys.argv[4]) if len(sys.argv) == 5 else 4
    stop = time.time() + seconds
    answered = [0] * clients

    def client(index):
        chance = random.Random(index)
        while time.time() < stop:
            texts = ["".join(chr(chance.randint(0x4E00, 0x9FA5)) for _ in range(chance.randint(1, 120)))
                     for _ in range(chance.randint(1, 16))]
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/embed",
                                             data=json.dumps({"texts": texts}).encode(),
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request).read()
            answered[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start = time.time()
    samples = []
    while time.time() < stop:
        time.sleep(min(15, max(0.0, stop - time.time())))
        samples.append(f"{time.time() - start:.0f}s:{rss_mb(pid)}MB")
    for thread in threads:
        thread.join()
    print("requests", sum(answered), " ".join(samples))


if __name__ == "__main__":
    main()
