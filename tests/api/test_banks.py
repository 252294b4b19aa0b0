from quizzes.models import Bank, Item
from quizzes.services.banks import bank_export

BROKEN_YAML = """\
format: descent-bank/1
bank: {slug: api-bank, name: API bank}
items:
  - key: fine
    kind: numeric
    stem: What is 1 + 1?
    answer: 2
    explanation: Two.
  - key: broken
    kind: numeric
    stem: No answer here.
    explanation: Missing.
"""

NEW_YAML = """\
format: descent-bank/1
bank: {slug: api-bank, name: API bank renamed}
items:
  - key: three
    kind: numeric
    stem: What is 1 + 2?
    answer: 3
    explanation: Three.
"""


def test_list_banks_shows_the_banks_shared_with_the_caller(api_as, bank, people):
    Bank.objects.create(slug="private", name="Private", owner=people["outsider"])
    for name in ("owner", "coauth", "viewer"):
        body = api_as(name).get("/banks").json()
        assert [row["slug"] for row in body["items"]] == ["api-bank"], name
        assert body["items"][0]["owner"] == "olga"
    assert [row["slug"] for row in api_as("outsider").get("/banks").json()["items"]] == ["private"]


def test_list_banks_is_for_instructors_only(api_as, bank):
    response = api_as("student").get("/banks")
    assert response.status_code == 403
    assert response.json() == {"detail": "Instructors only."}


def test_list_bank_items_pages_through_the_items_in_order(api_as, bank):
    api = api_as("viewer")
    first = api.get("/banks/api-bank/items", {"page_size": 1}).json()
    second = api.get("/banks/api-bank/items", {"page_size": 1, "page": 2}).json()
    assert first["count"] == second["count"] == 2
    assert [first["items"][0]["key"], second["items"][0]["key"]] == ["two-plus-two", "adam-order"]
    assert first["items"][0]["topics"] == ["arithmetic"]


def test_list_bank_items_of_another_instructors_bank_is_404(api_as, bank):
    response = api_as("outsider").get("/banks/api-bank/items")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert api_as("outsider").get("/banks/no-such-bank/items").json() == response.json()


def test_list_bank_items_refuses_a_bad_page_with_400(api_as, bank):
    response = api_as("owner").get("/banks/api-bank/items", {"page": 0})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page"


def test_export_bank_gives_the_services_text_and_reports_what_gift_loses(api_as, bank):
    api = api_as("viewer")
    yaml = api.get("/banks/api-bank/export").json()
    assert yaml["text"] == bank_export(bank=bank, fmt="yaml")
    assert yaml["skipped"] == [] and yaml["filename"] == "api-bank.yaml"
    gift = api.get("/banks/api-bank/export", {"format": "gift"}).json()
    assert gift["text"] == bank_export(bank=bank, fmt="gift")
    assert [(s["name"], s["type"]) for s in gift["skipped"]] == [("adam-order", "ordering")]
    assert "GIFT" in gift["skipped"][0]["reason"]


def test_export_bank_refuses_an_unknown_format_with_400(api_as, bank):
    response = api_as("owner").get("/banks/api-bank/export", {"format": "docx"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"


def test_import_into_bank_replaces_the_items_for_a_coauthor(api_as, bank):
    response = api_as("coauth").post("/banks/api-bank/import", {"format": "yaml", "text": NEW_YAML})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["deleted"]) == (1, 2)
    assert list(bank.items.values_list("key", flat=True)) == ["three"]


def test_import_into_bank_with_one_broken_item_writes_nothing_and_locates_the_problem(api_as, bank):
    before = list(Item.objects.filter(bank=bank).values_list("key", "stem"))
    response = api_as("owner").post(
        "/banks/api-bank/import", {"format": "yaml", "text": BROKEN_YAML, "filename": "api.yaml"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Nothing imported")
    problem = next(p for p in body["problems"] if p["location"]["item_key"] == "broken")
    assert problem["location"]["item_index"] == 1 and problem["location"]["file"] == "api.yaml"
    assert list(Item.objects.filter(bank=bank).values_list("key", "stem")) == before


def test_import_into_bank_is_refused_to_viewers_outsiders_and_students(api_as, bank):
    for name, status in (("viewer", 404), ("outsider", 404), ("student", 403)):
        response = api_as(name).post("/banks/api-bank/import", {"format": "yaml", "text": NEW_YAML})
        assert response.status_code == status, name
    assert bank.items.count() == 2


def test_import_into_bank_reports_missing_fields_with_400(api_as, bank):
    response = api_as("owner").post("/banks/api-bank/import", {"text": NEW_YAML})
    assert response.status_code == 400
    assert {"field": "format", "message": "Field required"} in response.json()["errors"]


def _upload(api, slug, name, content, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content)
    return api.client.post(f"/api/v1/banks/{slug}/import-file", {"file": upload, **fields}, **api._headers())


def test_import_file_into_bank_reads_the_format_from_the_file_name(api_as, bank):
    response = _upload(api_as("owner"), "api-bank", "new.yaml", NEW_YAML.encode())
    assert response.status_code == 200, response.content
    assert list(bank.items.values_list("key", flat=True)) == ["three"]


def test_import_file_into_bank_refuses_a_file_that_is_not_utf8_and_writes_nothing(api_as, bank):
    response = _upload(api_as("owner"), "api-bank", "new.yaml", b"\xff\xfe" + NEW_YAML.encode("utf-16-le"))
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]
    unnamed = _upload(api_as("owner"), "api-bank", "bank.docx", NEW_YAML.encode())
    assert unnamed.status_code == 400 and "format" in unnamed.json()["detail"]
    assert bank.items.count() == 2


def test_import_file_into_bank_is_refused_to_a_viewer_before_the_file_is_read(api_as, bank):
    response = _upload(api_as("viewer"), "api-bank", "bank.txt", b"\xff")
    assert response.status_code == 404
    assert bank.items.count() == 2


def test_import_into_bank_answers_413_in_json_for_a_body_beyond_the_sites_limit(api_as, bank, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api_as("owner").post("/banks/api-bank/import", {"format": "yaml", "text": "#" * 2048})
    assert response.status_code == 413
    assert "file upload" in response.json()["detail"]
    assert bank.items.count() == 2
