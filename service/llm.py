"""The LLM front end (LangChain, any OpenAI-compatible endpoint): a question becomes a plan
{action: query | sql | clarify}. The JSON Schema given to the model restricts metric, dimension
and value names to the catalog; the output is validated, one repair round sends the error back,
and nothing it writes reaches the database without the guard."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import ValidationError

from semantic_layer.describe import catalog_text, query_json
from semantic_layer.errors import QueryInvalid, SemanticError
from semantic_layer.model import SemanticModel
from semantic_layer.parser.accounting import Named, described, left_out
from semantic_layer.query import SemanticQuery
from semantic_layer.resolve import resolve_query
from service.prompts import PromptLibrary


class LlmUnavailable(SemanticError):
    code = "llm_not_configured"


class LlmFailed(SemanticError):
    code = "llm_failed"
    status = 502


class LlmTimeout(SemanticError):
    code = "llm_timeout"
    status = 504


@dataclass(frozen=True)
class LlmOutcome:
    query: SemanticQuery | None = None
    sql: str | None = None
    reason_zh: str = ""
    reason_en: str = ""
    failed: bool = False  # no usable plan even after the repair round

    def message(self, language: str) -> str:
        return self.reason_zh if language == "zh" else self.reason_en


def plan_schema(model: SemanticModel, values: dict[str, list[str]]) -> dict:
    """SemanticQuery's JSON Schema with every name restricted to the catalog, wrapped in a plan."""
    schema = SemanticQuery.model_json_schema()
    defs = schema.pop("$defs")
    metric_ids = [m.id for m in model.metrics]
    dimension_ids = [d.id for d in model.dimensions]
    all_values = sorted({v for vs in values.values() for v in vs})
    scalar = {"anyOf": [{"type": "string", "enum": all_values}, {"type": "number"}]}
    schema["properties"]["metrics"]["items"] = {"type": "string", "enum": metric_ids}
    defs["DimensionRef"]["properties"]["name"] = {"type": "string", "enum": dimension_ids}
    defs["Filter"]["properties"]["dimension"] = {"type": "string", "enum": dimension_ids}
    defs["Filter"]["properties"]["value"] = {"anyOf": [*scalar["anyOf"], {"type": "array", "items": scalar}]}
    defs["OrderBy"]["properties"]["field"] = {"type": "string", "enum": metric_ids + dimension_ids}
    defs["Having"]["properties"]["metric"] = {"type": "string", "enum": metric_ids}
    defs["EachHaving"]["properties"]["per"] = {"type": "string", "enum": metric_ids}
    defs["EachHaving"]["properties"]["metric"] = {"type": "string", "enum": metric_ids}
    defs["SemanticQuery"] = schema
    return {
        "title": "answer_plan",
        "description": "How to answer the question: a semantic query, a SQL query, or a clarification.",
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": ["query", "sql", "clarify"]},
            "query": {"anyOf": [{"$ref": "#/$defs/SemanticQuery"}, {"type": "null"}]},
            "sql": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "message": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["action"],
        "$defs": defs,
    }


class QuestionModel:
    """Asks the configured chat model for an answer plan and checks what comes back."""

    def __init__(self, model: SemanticModel, values: dict[str, list[str]], tables: dict[str, dict[str, str]],
                 prompts: PromptLibrary, base_url: str, api_key: str, model_name: str,
                 timeout_s: float, method: str = "function_calling") -> None:
        self.model = model
        self.prompts = prompts
        self.catalog = catalog_text(model, values)
        self.tables = "\n".join(f"- {t}({', '.join(f'{c} {k}' for c, k in cols.items())})"
                                for t, cols in tables.items())
        chat = ChatOpenAI(base_url=base_url, api_key=api_key, model=model_name, timeout=timeout_s,
                          max_retries=0, temperature=0)
        self.planner = chat.with_structured_output(plan_schema(model, values), method=method, include_raw=True)

    def _system(self, today: dt.date, examples, glossary: list[str] = ()) -> str:
        catalog = self.catalog + ("\n\n## Glossary (words of this shop)\n" + "\n".join(f"- {g}" for g in glossary)
                                  if glossary else "")
        text = self.prompts.render("semantic_query.system", today=today.isoformat(), catalog=catalog,
                                   tables=self.tables)
        if examples:
            shots = "\n".join(f"- {e.question} -> {json.dumps(query_json(e.query), ensure_ascii=False)}"
                              for e in examples)
            text += "\n\n" + self.prompts.render("semantic_query.examples", examples=shots)
        return text

    def _call(self, messages) -> dict:
        try:
            return self.planner.invoke(messages)
        except Exception as error:  # the provider's SDK raises many types; all mean "no plan"
            name = type(error).__name__
            if "Timeout" in name:
                raise LlmTimeout("大模型响应超时，请稍后再试", "the LLM did not answer in time; try again later")
            raise LlmFailed(f"大模型调用失败（{name}）", f"the LLM call failed ({name})")

    def _check(self, reply: dict, today: dt.date, named: list[Named] = ()) -> tuple[LlmOutcome | None, str | None]:
        """The plan if usable and it keeps everything the question names, else the error to send back
        for repair."""
        if reply.get("parsing_error") is not None or not isinstance(reply.get("parsed"), dict):
            return None, f"the output was not valid JSON for the schema ({reply.get('parsing_error')})"
        plan = reply["parsed"]
        action = plan.get("action")
        if action == "query":
            try:
                query = SemanticQuery.model_validate(plan.get("query") or {})
                resolved = resolve_query(self.model, query, today)
            except ValidationError as error:
                return None, f"the query does not match the schema: {error.errors()[0]['msg']} at " \
                             f"{'.'.join(map(str, error.errors()[0]['loc']))}"
            except QueryInvalid as error:
                return None, error.text("en")
            missing = left_out(list(named), resolved)
            if missing:
                return None, "the plan leaves out what the question names: " + "; ".join(map(described, missing))
            return LlmOutcome(query=query), None
        if action == "sql" and isinstance(plan.get("sql"), str) and plan["sql"].strip():
            return LlmOutcome(sql=plan["sql"]), None
        if action == "clarify":
            message = str(plan.get("message") or "")
            return LlmOutcome(reason_zh=message or "请换个说法再问一次。",
                              reason_en=message or "Please rephrase the question."), None
        return None, "action must be query (with query), sql (with sql) or clarify"

    def interpret(self, question: str, today: dt.date, examples=(), named: list[Named] = (),
                  glossary: list[str] = ()) -> LlmOutcome:
        """``named``: what the question names (the parser's account), which a plan must keep;
        ``glossary``: the shop's own words ('一线城市 = city in 北京, 上海, 广州, 深圳')."""
        system = SystemMessage(self._system(today, examples, glossary))
        messages = [system, HumanMessage(question)]
        outcome, error = self._check(self._call(messages), today, named)
        if outcome is None:  # one repair round
            repair = self.prompts.render("repair.user", error=error)
            outcome, error = self._check(self._call(messages + [HumanMessage(repair)]), today, named)
        if outcome is None:
            return LlmOutcome(reason_zh=f"没能理解这个问题（大模型输出无效: {error}）",
                              reason_en=f"I could not interpret the question (invalid LLM output: {error})",
                              failed=True)
        return outcome

    def repair_sql(self, question: str, today: dt.date, sql: str, error: str) -> str:
        messages = [SystemMessage(self._system(today, ())), HumanMessage(question),
                    HumanMessage(self.prompts.render("sql_repair.user", error=error, sql=sql))]
        outcome, problem = self._check(self._call(messages), today)
        if outcome is None or outcome.sql is None:
            raise LlmFailed("大模型没能修正这条 SQL", f"the LLM could not repair the SQL ({problem})")
        return outcome.sql
