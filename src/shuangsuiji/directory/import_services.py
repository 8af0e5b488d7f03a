def import_job_create(*, actor, kind, uploaded_file):  # type: ignore
    raise NotImplementedError
