"""Programs as pictures: one Mermaid flowchart per program, each kind of step drawn its own way."""

from __future__ import annotations

import json
import re

import pytest

from design.specs.model import RuleSpec
from workbench.diagram import flowchart

LABELS = {
    "main": "主程序",
    "a": "A",
    "sub": "子程序",
    "each": "逐项",
    "both": "并行",
    "maybe": "可选",
}


def draw(*rules: RuleSpec, timers=frozenset()) -> str:
    lines, _names, _first = flowchart(
        program="main", rules=list(rules), labels=LABELS, events={}, timers=timers
    )
    return "\n".join(lines)


def test_each_kind_of_step_is_drawn_distinctly():
    text = draw(
        RuleSpec(service="main", event="started", instruction="start_service", operand="a"),
        RuleSpec(service="a", event="completed", instruction="call_sub_service", operand="sub"),
        RuleSpec(
            service="sub", event="completed", instruction="start_iteration_service", operand="each"
        ),
        RuleSpec(
            service="each", event="completed", instruction="start_parallel_service", operand="both"
        ),
        RuleSpec(
            service="both",
            event="completed",
            instruction="start_service",
            operand="maybe",
            mode="decision",
        ),
        RuleSpec(service="maybe", event="overdue", instruction="escalate_process"),
        RuleSpec(service="a", event="failed", instruction="retry_process"),
        timers={"overdue"},
    )
    assert re.search(r"n_main -->\|\"started: \w+\"\| n_a", text)  # a plain start
    assert 'n_a ==>|"completed: ' in text and 'n_sub[["子程序"]]' in text  # a sub-program call
    assert re.search(r'n_sub -->\|"\u21bb ', text) and "class n_each iterates" in text
    assert re.search(r'n_each -->\|"\u2225 ', text) and "class n_both fans_out" in text
    assert 'n_both -.->|"? ' in text  # a decision: dotted, marked "?"
    assert re.search(r'n_maybe --x\|"\u25f7 overdue', text)  # a timer's exception path
    assert re.search(r'n_a --x\|"failed: ', text) and "class end_retry_process failpath" in text
    # Class names that are Mermaid keywords ("end", "call", "click" ...) break the diagram.
    classes = re.findall(r"classDef (\w+)", text)
    assert not {"end", "call", "click", "style", "class", "subgraph", "href"} & set(classes)


def test_each_node_knows_its_first_rule():
    _lines, names, first = flowchart(
        program="main",
        rules=[
            RuleSpec(service="main", event="started", instruction="start_service", operand="a"),
            RuleSpec(service="a", event="completed", instruction="calling_return"),
        ],
        labels=LABELS,
        events={},
    )
    assert names == ["main", "a"]
    assert first == {"n_a": 0, "n_main": 0, "end_calling_return": 1}


@pytest.mark.django_db
def test_the_programs_page_draws_every_program_of_the_clinic(analyst_client, designer_dirs):
    response = analyst_client.get("/design/clinic/diagrams/")
    assert response.status_code == 200
    page = response.content.decode()
    diagrams = json.loads(re.search(r'id="diagrams"[^>]*>(.*?)</script>', page, re.S).group(1))
    names = [d["name"] for d in diagrams]
    assert "customer_service" in names
    program = next(d for d in diagrams if d["name"] == "customer_service")
    assert "n_reception[[" in program["mermaid"]  # called sub-programs are subroutine boxes
    assert "==>" in program["mermaid"]
    # Every node opens its rule in the programs editor.
    links = program["links"].values()
    assert links and all(
        link.startswith("/design/clinic/programs/customer_service/rules/") for link in links
    )
    for link in set(links):
        assert analyst_client.get(link).status_code == 200, link
    assert "mermaid.min.js" in page and "cdn" not in page.lower()
