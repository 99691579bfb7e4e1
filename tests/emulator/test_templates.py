"""The template engine without HTTP: expressions, functions, parameters, copy loops, ordering."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_azurestack.emulator.templates import (
    Scope,
    TemplateError,
    bind_parameters,
    evaluate_value,
    plan_template,
)
from pytest_azurestack.emulator.templates.outputs import evaluate_outputs

SUB = "00000000-0000-0000-0000-000000000001"
GROUP = {"id": f"/subscriptions/{SUB}/resourceGroups/rg", "name": "rg", "location": "local"}


def scope(**parameters: Any) -> Scope:
    return Scope(
        SUB,
        "tenant",
        GROUP,
        "dep",
        parameters={k.lower(): v for k, v in parameters.items()},
        variables={"prefix": "[concat(parameters('base'), '-')]", "loopy": "[variables('loopy')]"},
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[concat('a', 'b', 1, true())]", "ab1True"),
        ("[concat(createArray(1), createArray(2, 3))]", [1, 2, 3]),
        ("[format('{0}-{1}-{0}', 'x', 2)]", "x-2-x"),
        ("[format('{0:D3}', 7)]", "007"),
        ("[toLower('MiXeD')]", "mixed"),
        ("[toUpper('abc')]", "ABC"),
        ("[variables('prefix')]", "web-"),
        ("[parameters('BASE')]", "web"),
        ("[resourceGroup().location]", "local"),
        ("[subscription().subscriptionId]", SUB),
        (
            "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]",
            f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        ),
        (
            "[resourceId('other', 'Microsoft.Compute/virtualMachines', 'vm')]",
            f"/subscriptions/{SUB}/resourceGroups/other/providers/Microsoft.Compute/virtualMachines/vm",
        ),
        (
            "[resourceId('s2', 'g2', 'Microsoft.Compute/disks', 'd')]",
            "/subscriptions/s2/resourceGroups/g2/providers/Microsoft.Compute/disks/d",
        ),
        ("[if(equals(parameters('base'), 'web'), 'yes', nosuch())]", "yes"),
        ("[createObject('a', createArray(1, 2)).a[1]]", 2),
        ("[split('a,b,c', ',')[2]]", "c"),
        ("[length('four')]", 4),
        ("[add(mul(2, 3), sub(10, div(9, 2)))]", 12),
        ("[string(createObject('k', 1))]", '{"k":1}'),
        ("[[not an expression]", "[not an expression]"),
        ("[concat('it''s', ' ', 'ok')]", "it's ok"),
        ("plain", "plain"),
    ],
)
def test_expressions_evaluate_as_arm_does(expression: str, expected: Any) -> None:
    assert evaluate_value(expression, scope(base="web")) == expected


def test_unique_string_is_stable_and_shaped_like_arms() -> None:
    one = evaluate_value("[uniqueString(resourceGroup().id)]", scope())
    assert one == evaluate_value("[uniqueString(resourceGroup().id)]", scope())
    assert len(one) == 13 and one.isalnum() and one.islower()
    assert one != evaluate_value("[uniqueString(resourceGroup().id, 'x')]", scope())


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("[concat('a']", "Unable to parse language expression"),
        ("[nosuch()]", "'nosuch' is not valid"),
        ("[parameters('missing')]", "The template parameter 'missing' is not found"),
        ("[variables('loopy')]", "refers to itself"),
        ("[copyIndex()]", "outside a copy loop"),
        ("[reference('x')]", "can be used only in resource properties and outputs"),
        ("[resourceGroup().nope]", "property 'nope' doesn't exist"),
        ("[toLower(1)]", "is not a string"),
        ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v')]", "requires 2 resource name"),
    ],
)
def test_bad_expressions_are_one_clear_error(expression: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        evaluate_value(expression, scope(base="web"))
    assert message in raised.value.message


def test_copy_index_counts_the_resource_loop_and_named_loops() -> None:
    inner = scope().in_loop("outer", 2, resource_loop=True).in_loop("disks", 1)
    assert evaluate_value("[copyIndex()]", inner) == 2
    assert evaluate_value("[copyIndex(10)]", inner) == 12
    assert evaluate_value("[copyIndex('disks', 1)]", inner) == 2


def test_a_property_copy_builds_an_array() -> None:
    value = {"copy": [{"name": "dataDisks", "count": 3, "input": {"lun": "[copyIndex('dataDisks')]"}}]}
    assert evaluate_value(value, scope()) == {"dataDisks": [{"lun": 0}, {"lun": 1}, {"lun": 2}]}


def test_parameters_bind_defaults_allowed_values_and_secrets() -> None:
    declared = {
        "size": {"type": "string", "defaultValue": "small", "allowedValues": ["small", "large"]},
        "where": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        "count": {"type": "int", "minValue": 1},
        "password": {"type": "securestring"},
    }
    s = scope()

    bound = bind_parameters(declared, {"count": {"value": "2"}, "password": {"value": "pw"}}, s)

    assert bound.echo == {
        "size": {"type": "String", "value": "small"},
        "where": {"type": "String", "value": "local"},
        "count": {"type": "Int", "value": 2},
        "password": {"type": "SecureString"},
    }
    assert s.parameters["password"] == "pw" and bound.secrets == ["pw"]
    for supplied, message in [
        ({"count": {"value": 0}, "password": {"value": "p"}}, "'minValue' 1"),
        (
            {"count": {"value": 1}, "password": {"value": "p"}, "size": {"value": "huge"}},
            "not part of the allowed",
        ),
        ({"count": {"value": 1}}, "'password' is not provided"),
        ({"count": {"value": True}, "password": {"value": "p"}}, "Expected 'Int'. Actual 'Boolean'"),
    ]:
        with pytest.raises(TemplateError) as raised:
            bind_parameters(declared, supplied, scope())
        assert message in raised.value.message


def _ip(name: str, **extra: Any) -> dict[str, Any]:
    return {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2018-11-01", "name": name, **extra}


def test_the_plan_expands_loops_nests_children_and_orders_by_dependencies() -> None:
    template = {
        "resources": [
            _ip("[concat('ip', copyIndex())]", copy={"name": "ips", "count": 2}),
            _ip("after", dependsOn=["ips"]),
            _ip("skipped", condition="[equals(1, 2)]"),
            _ip("uses-skipped", dependsOn=["skipped"]),
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2018-11-01",
                "name": "v",
                "resources": [{"type": "subnets", "apiVersion": "2018-11-01", "name": "s"}],
            },
            _ip(
                "refers", properties={"x": "[reference('Microsoft.Network/virtualNetworks/v').addressSpace]"}
            ),
        ]
    }

    plan = plan_template(template, scope())

    names = [r.name for r in plan.resources]
    assert names == ["ip0", "ip1", "after", "uses-skipped", "v", "v/s", "refers"]
    by_name = {r.name: r for r in plan.resources}
    assert by_name["v/s"].full_type == "Microsoft.Network/virtualNetworks/subnets"
    assert by_name["v/s"].id.endswith("/virtualNetworks/v/subnets/s")
    assert [by_name[k.rsplit("/", 1)[-1]].name for k in by_name["after"].depends_on] == ["ip0", "ip1"]
    assert by_name["uses-skipped"].depends_on == []
    assert by_name["v/s"].depends_on == [by_name["v"].key]
    assert by_name["refers"].depends_on == [by_name["v"].key]
    assert [r.name for r in plan.ready(set(), set())] == ["ip0", "ip1", "uses-skipped", "v"]


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        ([_ip("a", dependsOn=["ghost"])], "The resource 'ghost' is not defined in the template"),
        ([_ip("a", dependsOn=["b"]), _ip("b", dependsOn=["a"])], "Circular dependency detected"),
        ([_ip("a"), _ip("a")], "is defined multiple times"),
        ([{"type": "Microsoft.Network/publicIPAddresses", "name": "a"}], "must have a 'apiVersion'"),
        ([_ip("a/b")], "incorrect segment lengths"),
        ([_ip("[concat('x', copyIndex())]", copy={"name": "l", "count": -1})], "invalid count"),
    ],
)
def test_the_plan_refuses_what_arm_validation_refuses(resources: list[Any], message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        plan_template({"resources": resources}, scope())
    assert message in raised.value.message


def test_outputs_are_typed_and_secure_ones_hide_their_value() -> None:
    outputs = {
        "name": {"type": "string", "value": "[concat('a', 'b')]"},
        "n": {"type": "int", "value": 3},
        "secret": {"type": "securestring", "value": "hidden"},
        "off": {"type": "string", "value": "x", "condition": "[false()]"},
    }
    assert evaluate_outputs(outputs, scope()) == {
        "name": {"type": "String", "value": "ab"},
        "n": {"type": "Int", "value": 3},
        "secret": {"type": "SecureString"},
    }
