from shared.conversation.sentiment import sentiment


def test_thanks_is_positive_and_a_complaint_negative() -> None:
    assert sentiment("Thanks, that was really helpful!") == 1.0
    assert sentiment("This is terrible, my order arrived damaged") == -1.0


def test_negation_flips_the_next_sentiment_word() -> None:
    assert sentiment("I am not happy with the jacket") == -1.0
    assert sentiment("not bad at all") == 1.0


def test_mixed_messages_land_in_between_and_neutral_ones_carry_no_score() -> None:
    mixed = sentiment("great jacket but delivery was slow")
    assert mixed is not None and -1.0 < mixed < 1.0
    assert sentiment("do you have a denim jacket in size M?") is None
    assert sentiment(None) is None


def test_emoji_count_like_words() -> None:
    assert sentiment("👍") == 1.0
    assert sentiment("😡😡") == -1.0
