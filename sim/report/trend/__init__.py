"""What the report says about the trend as a population process: how far it spreads in
each arm, whether its curves are S-shaped, whether clustering helps it spread (the
direction of Centola 2010), and whether it lowers everyone's reach and engagement per
impression, including the reach of those who never adopted it.

Every number comes from `sim.analysis.trend`, the functions the trend figures draw, and
says what it rests on (members, posts, impressions, creators, replications). Python
computes the numbers and the verdicts; the sentences are jinja2 templates in
``sim/report/templates/trend/``, one per module: `spread` (the arms, the spread, the
S-shape and the rewired network), `reach`, `effects` (reach and engagement over time and
against no trend), `feeds` (sources, similarity, Gini) and `section` (the section in
order, with its summary); `words` writes the numbers and verdicts and renders the
templates.
"""

from sim.report.trend.section import trend_blocks

__all__ = ["trend_blocks"]
