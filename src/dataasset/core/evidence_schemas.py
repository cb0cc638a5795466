"""Pydantic shapes of the evidence log's public API: entries, proofs and signed checkpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

HexHash = str


class EvidenceSubject(BaseModel):
    type: str = Field(description="主体类型，如 asset_card")
    id: str = Field(description="主体编号")


class EvidenceEntryRead(BaseModel):
    """One entry of the log. ``entry`` is the exact canonical bytes (base64) hashed into the leaf,
    or null when the caller may not see the subject."""

    index: int = Field(description="条目序号（叶子序号，从 0 开始）")
    leaf_hash: HexHash = Field(description="叶子哈希 SHA-256(0x00‖entry)，小写十六进制")
    entry: str | None = Field(description="条目原文（规范 JSON）的 base64；无权查看时为 null")
    action: str
    subject: EvidenceSubject
    recorded_at: datetime


class EvidenceCheckpointRead(BaseModel):
    """A signed checkpoint (C2SP tlog-checkpoint in a signed note, Ed25519)."""

    tree_size: int = Field(description="树的大小（条目数）")
    root_hash: HexHash = Field(description="根哈希，小写十六进制")
    timestamp: datetime = Field(description="检查点生成时间")
    checkpoint: str = Field(description="签名检查点全文（C2SP signed-note）")
    public_key: str = Field(description="Ed25519 公钥（32 字节原始格式）的 base64")
    verifier_key: str = Field(description="signed-note 验证密钥：<名称>+<密钥哈希>+<base64(0x01‖公钥)>")


class InclusionProofRead(BaseModel):
    leaf_index: int
    tree_size: int
    audit_path: list[HexHash] = Field(description="审计路径（RFC 9162 §2.1.3），自叶子向上")


class ConsistencyProofRead(BaseModel):
    first: int
    second: int
    proof: list[HexHash] = Field(description="一致性证明（RFC 9162 §2.1.4）")
