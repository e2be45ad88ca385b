#!/usr/bin/python3
"""Formats `mosquitto_sub -v` output of lintel topics for the demo: one line per message."""
import json
import sys


def show_point(p):
    value = p.get("value")
    text = f"{value:.6g}" if isinstance(value, float) else json.dumps(value)
    if p.get("unit"):
        text += " " + p["unit"]
    if p.get("quality") != "good":
        text += f" ({p.get('quality')})"
    return f"{p.get('point')}={text}"


for line in sys.stdin:
    topic, _, payload = line.rstrip("\n").partition(" ")
    try:
        doc = json.loads(payload)
    except ValueError:
        print(f"[broker] {topic} {payload[:120]}", flush=True)
        continue
    if topic.endswith("/telemetry"):
        points = doc.get("points", [])
        print(f"[broker] {topic} seq={doc.get('seq')} {len(points)} points: "
              + ", ".join(show_point(p) for p in points), flush=True)
    else:
        print(f"[broker] {topic} {json.dumps(doc, separators=(',', ':'))}", flush=True)
