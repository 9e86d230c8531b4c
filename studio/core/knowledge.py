"""Knowledge articles: Markdown with optional `title:` front matter."""
from __future__ import annotations

from .base import Model
from .ids import Id
from .yaml_io import YamlError, dump_yaml, parse_yaml


class Article(Model):
    id: Id
    title: str = ""
    body: str = ""

    @classmethod
    def parse(cls, article_id: str, text: str) -> "Article":
        title, body = "", text
        if text.startswith("---"):
            end = text.find("\n---", 3)
            if end != -1:
                try:
                    front = parse_yaml(text[3:end])[0] or {}
                except YamlError as exc:     # lines counted from the file's first line
                    raise YamlError(f"front matter: {exc.message}",
                                    exc.line, exc.column) from None
                if isinstance(front, dict):
                    title = str(front.get("title") or "")
                body = text[end + 4:].lstrip("\n")
        if not title:
            for line in body.splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                    break
        return cls(id=article_id, title=title or article_id, body=body)

    def render(self) -> str:
        # one line however long (PyYAML folds at 80 columns), text as written
        front = dump_yaml({"title": self.title}, width=1_000_000)
        return f"---\n{front}---\n\n{self.body.rstrip()}\n"
