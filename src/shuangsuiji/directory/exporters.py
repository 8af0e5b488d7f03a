def export_xlsx(kind, qs, show_personal=False):  # type: ignore
    return b""


def template_workbook(kind):  # type: ignore
    return b""


def template_csv(kind):  # type: ignore
    return b""
