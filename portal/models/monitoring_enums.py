"""The answers of the ESF monitoring data set (MONITORING.md), with translatable labels."""

from flask_babel import lazy_gettext as _l

from portal.models.labelled import LabelledEnum, Labels


class Sex(LabelledEnum):
    FEMALE = "female"
    MALE = "male"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.FEMALE: _l("Woman"), cls.MALE: _l("Man")}


class Education(LabelledEnum):
    """ISCED-based levels of the ESF monitoring data set."""

    NONE = "none"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    POST_SECONDARY = "post_secondary"
    TERTIARY = "tertiary"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.NONE: _l("Below primary (ISCED 0)"),
            cls.PRIMARY: _l("Primary (ISCED 1)"),
            cls.LOWER_SECONDARY: _l("Lower secondary (ISCED 2)"),
            cls.UPPER_SECONDARY: _l("Upper secondary (ISCED 3)"),
            cls.POST_SECONDARY: _l("Post-secondary (ISCED 4)"),
            cls.TERTIARY: _l("Tertiary (ISCED 5-8)"),
        }


class Area(LabelledEnum):
    URBAN = "urban"
    RURAL = "rural"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.URBAN: _l("Urban"), cls.RURAL: _l("Rural")}


class LabourMarketStatus(LabelledEnum):
    UNEMPLOYED_REGISTERED = "unemployed_registered"
    UNEMPLOYED_UNREGISTERED = "unemployed_unregistered"
    INACTIVE = "inactive"
    EMPLOYED = "employed"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.UNEMPLOYED_REGISTERED: _l("Unemployed, registered at the labour office"),
            cls.UNEMPLOYED_UNREGISTERED: _l("Unemployed, not registered"),
            cls.INACTIVE: _l("Economically inactive"),
            cls.EMPLOYED: _l("Employed"),
        }


class Answer(LabelledEnum):
    """A monitoring question about a social situation: a refusal must never block support."""

    YES = "yes"
    NO = "no"
    REFUSED = "refused"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.YES: _l("Yes"), cls.NO: _l("No"), cls.REFUSED: _l("Refuses to answer")}
