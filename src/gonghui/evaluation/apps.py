# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gonghui.evaluation"
    label = "evaluation"
    verbose_name = "评价与监管"

    def ready(self) -> None:
        # The proposal engine (training) ranks trainers by their shrunk scores without
        # importing this app: it is told how to read them.
        from gonghui.training.domain.proposal import register_trainer_scorer

        from .domain.scores import trainer_scores_for_proposal

        register_trainer_scorer(trainer_scores_for_proposal)
