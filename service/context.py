"""Everything a running service needs, built once from settings: used by the web app's
lifespan and by the command line (ask, eval) alike."""

from __future__ import annotations

from dataclasses import dataclass

from semantic_layer.loader import load_model
from semantic_layer.model import SemanticModel
from semantic_layer.parser import QuestionParser
from semantic_layer.parser.lexicon import Entry
from service.answer_log import AnswerLog
from service.answers import QueryEngine
from service.ask import Asker
from service.catalog import dimension_values
from service.conversations import ConversationStore
from service.examples import KnowledgeStore
from service.llm import QuestionModel
from service.prompts import PromptLibrary
from service.settings import Settings
from service.warehouse import Warehouse


@dataclass
class ServiceContext:
    settings: Settings
    warehouse: Warehouse
    engine: QueryEngine
    values: dict[str, list[str]]
    knowledge: KnowledgeStore
    answers: AnswerLog
    asker: Asker

    def reload_parser(self) -> None:
        """Rebuild the parser's vocabulary after a glossary change."""
        self.asker.parser = build_parser(self.engine.model, self.values, self.knowledge)

    def close(self) -> None:
        self.answers.close()
        self.knowledge.close()
        self.warehouse.close()


def build_parser(model: SemanticModel, values: dict[str, list[str]], knowledge: KnowledgeStore) -> QuestionParser:
    glossary = [(t.term, Entry("metric", t.target) if t.kind == "metric" else Entry("value", t.target, t.value))
                for t in knowledge.terms()]
    return QuestionParser(model, values, glossary)


def build_llm(settings: Settings, model: SemanticModel, values, tables) -> QuestionModel | None:
    if not (settings.llm_base_url and settings.llm_model):
        return None
    return QuestionModel(model, values, tables, PromptLibrary(settings.prompts_dir), settings.llm_base_url,
                         settings.llm_api_key or "none", settings.llm_model, settings.llm_timeout_s,
                         settings.llm_method)


def build_context(settings: Settings) -> ServiceContext:
    warehouse = Warehouse(settings.db_path)
    model = load_model(settings.model_path, schema=warehouse.schema())
    engine = QueryEngine(model, warehouse, settings.row_cap, settings.query_timeout_s)
    values = dimension_values(model, warehouse)
    knowledge = KnowledgeStore(settings.state_path)
    asker = Asker(engine, build_parser(model, values, knowledge),
                  ConversationStore(settings.conversation_limit, settings.conversation_ttl_s),
                  knowledge, build_llm(settings, model, values, engine.allowed))
    return ServiceContext(settings, warehouse, engine, values, knowledge, AnswerLog(settings.state_path), asker)
