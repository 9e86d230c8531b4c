"""Attachments under a model engine: images reach a vision model as base64
`image_url` parts, `extracted` is the offline engine's stand-in only, and the
trace says when the model cannot see images."""
from __future__ import annotations

import base64

from llm_kit import agent_fake, declare_vision, isolated, load_sample, server  # noqa: F401  (fixtures)
from llm_kit import model_options as options
from studio.simulate.runner import run_simulation

PHOTO = "damaged-photo-full-refund"


def _image_parts(requests):
    return [part for body in requests for message in body["messages"]
            if isinstance(message["content"], list)
            for part in message["content"] if part.get("type") == "image_url"]


def test_a_vision_model_gets_the_photo_as_an_image_part(fake, sample_copy):
    food = load_sample(sample_copy, retries=1)
    result = run_simulation(food, food.simulation(PHOTO), options=options(fake))
    assert result.status == "passed", (result.error, result.failed_expectations)
    parts = _image_parts(fake.requests)
    assert parts, "no request carried the photo"
    url = parts[0]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == (food.root / "attachments" / "crushed-pizza.png").read_bytes()
    read = [e for e in result.trace if e["type"] == "attachment"]
    assert read and read[0]["how"] == "sent to the model as an image"
    has_photo = next(e for e in result.trace if e["type"] == "variable_set" and e["name"] == "has_photo")
    assert has_photo["how"].startswith("model")          # read from the image, not from `extracted`


def test_a_model_that_cannot_see_images_is_told_the_file_name_and_the_trace_says_so(
        fake, sample_copy, tmp_path):
    declare_vision(tmp_path, False)
    food = load_sample(sample_copy, retries=1)
    result = run_simulation(food, food.simulation(PHOTO), options=options(fake))
    assert not _image_parts(fake.requests)
    read = next(e for e in result.trace if e["type"] == "attachment")
    assert "cannot see images" in read["how"] and read["file"] == "crushed-pizza.png"
    assert not [e for e in result.trace if e["type"] == "variable_set" and e.get("source") == "attachment"
                and e["name"] == "has_photo"]               # `extracted` is not applied
    assert any("[attached: crushed-pizza.png]" in str(b["messages"]) for b in fake.requests)


def test_offline_engine_still_uses_extracted(sample_copy):
    food = load_sample(sample_copy)
    result = run_simulation(food, food.simulation(PHOTO))
    assert result.status == "passed"
    has_photo = next(e for e in result.trace if e["type"] == "variable_set" and e["name"] == "has_photo")
    assert has_photo["source"] == "attachment"
    assert not [e for e in result.trace if e["type"] == "attachment"]


def test_vision_support_comes_from_litellm_unless_declared():
    from studio.llm.settings import LLMSettings
    from studio.llm.vision import supports_vision
    assert supports_vision(LLMSettings(model="gpt-4o")) is True
    assert supports_vision(LLMSettings(model="ollama_chat/llama3")) is False
    assert supports_vision(LLMSettings(model="ollama_chat/llava", vision=True)) is True
    assert supports_vision(LLMSettings(model="offline")) is False
