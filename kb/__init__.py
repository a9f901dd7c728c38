"""Articles as code: the article model, loading, validation and rendering. No Flask, no Whoosh."""
from kb.loader import KnowledgeBase, load_knowledge_base
from kb.model import LEVELS, SUPPORT_TYPES, Article
from kb.problems import Problem
from kb.settings import load_settings
from kb.validate import validate

__all__ = ["Article", "KnowledgeBase", "LEVELS", "Problem", "SUPPORT_TYPES", "load_knowledge_base",
           "load_settings", "validate"]
