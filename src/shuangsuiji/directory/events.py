"""Audit event names of directory (一单两库: items, targets, inspectors, conflicts, imports).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

CONFLICT_DECLARE = "conflict.declare"
INSPECTOR_CREATE = "inspector.create"
INSPECTOR_RETIRE = "inspector.retire"
INSPECTOR_UPDATE = "inspector.update"
ITEM_CREATE = "item.create"
ITEM_NEW_VERSION = "item.new_version"
ITEM_PUBLISH = "item.publish"
ITEM_RETIRE = "item.retire"
ITEM_UNPUBLISH = "item.unpublish"
ITEM_UPDATE = "item.update"
ITEM_REVIEW_APPROVE = "item_review.approve"
ITEM_REVIEW_PUBLISH = "item_review.publish"
ITEM_REVIEW_RETURN = "item_review.return"
ITEM_REVIEW_SUBMIT = "item_review.submit"
TARGET_CREATE = "target.create"
TARGET_FLAG_END = "target.flag_end"
TARGET_FLAG_RECORD = "target.flag_record"
TARGET_FLAG_WITHDRAW = "target.flag_withdraw"
FLAG_LIST_IMPORT = "flag_list.import"
TARGET_RETIRE = "target.retire"
TARGET_UPDATE = "target.update"


def import_event(kind: str) -> str:
    """``import.targets``, ``import.inspectors``, ``import.items``."""
    return f"import.{kind}"
