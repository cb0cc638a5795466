"""Catalog: asset cards (数据资产卡片), the catalog (目录) and the register (台账).

Importing the package registers the catalog's approval kinds (``sharing``) with the core workflow,
and its evidence hooks (who may read a card's evidence, the card's state digest) with the core.
"""

from dataasset.catalog import evidence_hooks as evidence_hooks  # asset-card evidence visibility, state
from dataasset.catalog import sharing as sharing  # registers the ``sharing`` workflow kind
