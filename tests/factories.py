"""factory_boy factories. Dimensions and role groups come from the data migrations."""
from __future__ import annotations

import hashlib
import itertools

import factory
from django.contrib.auth.models import Group, User

from annotation.models import Campaign, Dimension, Pair, Prompt, Video, VideoStatus
from annotation.models.media import new_media_token

_counter = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))
        self.save()


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    overlap = 3
    lease_ttl_seconds = 600

    @factory.post_generation
    def dimensions(self, create, extracted, **kwargs):
        keys = extracted if extracted is not None else list(Dimension.objects.values_list("key", flat=True))
        self.dimensions.set(Dimension.objects.filter(key__in=keys))


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prompt

    text = factory.Sequence(lambda n: f"A girl with pink hair waves, scene {n}")
    initial_image = factory.Sequence(lambda n: f"initial/test-{n}.png")
    initial_image_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.initial_image.encode()).hexdigest())
    action_label = "waving"
    split_key = factory.LazyAttribute(lambda o: Prompt.split_key_for(o.initial_image_sha256))


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video

    prompt = factory.SubFactory(PromptFactory)
    generator = factory.Iterator(["aurora-secret-gen", "bolt-secret-gen", "cel-secret-gen"])
    seed = factory.Sequence(lambda n: n)
    file = factory.Sequence(lambda n: f"videos/test-{n}.mp4")
    sha256 = factory.LazyFunction(lambda: hashlib.sha256(f"video-{next(_counter)}".encode()).hexdigest())
    fps = 12.0
    frame_count = 24
    width = 256
    height = 144
    duration_s = 2.0
    codec = "h264"
    status = VideoStatus.READY
    # A ready video has its browser files, named after its random token (media_pipeline.output_names).
    media_token = factory.LazyFunction(new_media_token)
    rendition = factory.LazyAttribute(lambda v: f"renditions/{v.media_token[:2]}/{v.media_token}-v2-720p.mp4")
    poster = factory.LazyAttribute(lambda v: f"posters/{v.media_token[:2]}/{v.media_token}-v2.jpg")
    rendition_width, rendition_height, rendition_fps, rendition_frame_count, rendition_duration_s = 256, 144, 12.0, 24, 2.0


def make_pairs(campaign: Campaign, *, n_pairs: int, **pair_kwargs) -> list[Pair]:
    """n_pairs pairs, each of two fresh videos of one fresh prompt."""
    pairs = []
    for i in range(n_pairs):
        prompt = PromptFactory()
        a, b = VideoFactory(prompt=prompt), VideoFactory(prompt=prompt)
        pairs.append(Pair.objects.create(campaign=campaign, video_a=a, video_b=b, overlap=campaign.overlap,
                                         random_key=(i * 0.6180339887) % 1.0, **pair_kwargs))
    return pairs
