"""Reads a Prometheus text exposition on standard input and prints it as one JSON object.

The parser is prometheus_client's own (Debian's python3-prometheus-client), so a test that reads this
knows that Prometheus' reference client accepts what the proxy serves. The object has "families", each
with its "name" (counters without "_total", as the parser names them), "type" and "samples"; each
sample has its "name", "labels" and "value", which is a string for a value JSON cannot hold (NaN, +Inf).
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def value(number):
    return number if math.isfinite(number) else str(number)


families = []
for family in text_string_to_metric_families(sys.stdin.read()):
    families.append({
        "name": family.name,
        "type": family.type,
        "samples": [{"name": s.name, "labels": s.labels, "value": value(s.value)} for s in family.samples],
    })
print(json.dumps({"families": families}))
