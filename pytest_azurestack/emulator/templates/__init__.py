"""ARM's template language, without HTTP: parameters, variables, expressions, copy loops,
dependencies and outputs. The deployments of ``providers/resources`` run what this plans.

``TemplateError`` is a template that ARM would refuse (``InvalidTemplate``...): the caller turns
it into the HTTP answer. Nothing here knows about the store or the providers; what it needs of
the stamp (the resource group, ``reference()``) comes in through ``Scope``.
"""

from pytest_azurestack.emulator.templates.errors import TemplateError
from pytest_azurestack.emulator.templates.evaluation import Scope, evaluate_value
from pytest_azurestack.emulator.templates.outputs import evaluate_outputs
from pytest_azurestack.emulator.templates.parameters import BoundParameters, bind_parameters
from pytest_azurestack.emulator.templates.plan import Plan, PlannedResource, plan_template

__all__ = [
    "BoundParameters",
    "Plan",
    "PlannedResource",
    "Scope",
    "TemplateError",
    "bind_parameters",
    "evaluate_outputs",
    "evaluate_value",
    "plan_template",
]
