"""Papers uploaded ahead on the portal's forms (the submission page, a supplement's answer).

`static/tinhso/js/papers.js` uploads each chosen file at once (`POST /api/v1/uploads`) and adds a ticked box named
`<kept name>` whose value is the paper's token; without script the files go with the form as `<file name>`. Either
way a refused form loses none: the papers it named, and the files it carried for components without an error,
come back ticked (uploaded ahead, kept 24 hours)."""
from __future__ import annotations

from django.core.exceptions import ValidationError

from tinhso.dossiers import selectors, services


def kept_papers(request, keys, kept_name, errors: dict[str, list[str]]) -> dict[str, list]:
    """{component key: [PaperUpload]} named by the ticked boxes (`kept_name(key)`); a token that names no paper of
    this citizen (expired, used, another's), or one paper ticked for two components, becomes its component's error."""
    tokens = {key: [t.strip() for t in request.POST.getlist(kept_name(key)) if t.strip()] for key in keys}
    kept, refused = selectors.paper_uploads_sorted(owner=request.user, tokens=tokens)
    for key, msgs in refused.items():
        errors.setdefault(f"component_{key}", []).extend(msgs)
    return kept


def keep_sent_files(request, keys, file_name, kept: dict[str, list], errors: dict[str, list[str]]) -> None:
    """After a refused form: the files it carried (`file_name(key)`) for components without an error are uploaded
    ahead (checked by content, kept 24 hours), so that the corrected form carries them again."""
    for key in keys:
        if errors.get(f"component_{key}"):
            continue
        for f in request.FILES.getlist(file_name(key)):
            f.seek(0)
            try:
                kept.setdefault(key, []).append(services.paper_upload(actor=request.user, upload=f))
            except ValidationError as exc:
                errors.setdefault(f"component_{key}", []).extend(exc.messages)


def kept_rows(kept: dict[str, list], key: str) -> list[dict]:
    """What the page shows of a component's kept papers."""
    return [{"token": u.token, "name": u.original_filename, "size": u.size} for u in kept.get(key, [])]
