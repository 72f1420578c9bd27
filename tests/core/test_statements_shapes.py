"""Statements in the shapes real articles give them, in English, French, Spanish and German: who speaks, whether
the words are quoted or paraphrased, updates appended to an article, and what is never the platform speaking
(the terms quoted, setting names, old quotes). Every text here was written for these tests."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from bot.core.config import Platform, SourceSpec
from bot.core.events import statement_message
from bot.core.news.platforms import attribute, match_platforms
from bot.core.news.statements import Statement, extract_statements
from bot.core.news.summaries import summarize

TUNELY = ("Tunely",)
PUBLISHED = "2024-02-16T18:00:00+00:00"


class Shape(NamedTuple):
    """One phrasing: the text, the platform's names, who should be found speaking (None: no statement), and
    whether the words are the speaker's own ("quote") or reported ("paraphrase")."""

    language: str
    text: str
    speaker: str | None
    kind: str = "quote"
    names: tuple[str, ...] = TUNELY
    update: bool = False


SHAPES: list[Shape] = [
    # --- English ---------------------------------------------------------------------------------------------
    Shape("en", "Tunely CEO Dana Whitfield pushed back on Friday. Whitfield wrote on X: “We are not training "
                "models on your uploads, and we never will.”", "Dana Whitfield"),
    Shape("en", "Priya Nair, Tunely's head of product, posted on Threads that the terms do not let the company "
                "sell anyone's tracks.", "Priya Nair", "paraphrase"),
    Shape("en", "Tunely said in a blog post that artists will be able to opt out of AI training by March.",
          "Tunely", "paraphrase"),
    Shape("en", "A Tunely spokesperson said in an email that the clause only covers spam filtering.",
          "spokesperson", "paraphrase"),
    Shape("en", "Tunely told Morning Bytes that no uploaded track has ever been used to train a model.",
          "Tunely", "paraphrase"),
    Shape("en", "“We have never sold listener data and we never will,” Tunely said in a statement to Morning "
                "Bytes.", "Tunely"),
    Shape("en", "Tunely's chief executive, Dana Whitfield, defended the update on Monday. “Our artists own their "
                "music, full stop, and nothing in section 6 changes that,” she said.", "Dana Whitfield"),
    Shape("en", "The change was announced by CEO Dana Whitfield at a conference in Lisbon. Critics were not "
                "convinced. “The clause is about spam, not about training models,” Whitfield said.",
          "Dana Whitfield"),
    Shape("en", "In a post on the company blog, Tunely CEO Dana Whitfield writes: “We will not use your songs to "
                "train generative AI.”", "Dana Whitfield"),
    Shape("en", "Tunely CEO Dana Whitfield said the change is minor and only affects how spam is detected.",
          "Dana Whitfield", "paraphrase"),
    Shape("en", "In an emailed statement, a Tunely spokesperson said:\n\n“We read every message artists sent us "
                "this week. The clause was written for spam detection.\n\n“We do not and will not train "
                "generative models on uploaded tracks.”", "spokesperson"),
    Shape("en", "A Tunely spokesperson sent the following statement:\n\n*We have never used artist content to "
                "train AI models, and the new terms do not change that.*", "spokesperson"),
    Shape("en", "Tunely rewrote its terms last week.\n\nUpdate (Feb 16, 2024, 4:30 PM PT): In an emailed "
                "statement, a Tunely spokesperson said the company has never used uploads to train AI.",
          "spokesperson", "paraphrase", update=True),
    Shape("en", "Tunely rewrote its terms last week.\n\nNews update at 10:12 Pacific: We have received an emailed "
                "statement from Tunely:\n\n_“We want to be clear that we do not train models on your music.\n\n"
                "“The wording of section 6 will be tightened in the next version of the terms.”_",
          "Tunely", update=True),
    Shape("en", "‘We won’t sell your data to anyone, ever,’ a Tunely spokesperson said on Thursday.",
          "spokesperson"),
    Shape("en", "Dana Whitfield, CEO of Tunely, wrote on X that nothing changes for artists who opt out.",
          "Dana Whitfield", "paraphrase"),
    Shape("en", "The new terms say: “By uploading, you grant us a worldwide licence to use your content to train "
                "our models.”", None),
    Shape("en", "Tunely says in its new terms: “You hereby grant us a licence to use your content for any "
                "purpose.”", None),
    Shape("en", "In the settings, a new switch reads “Allow AI training”.", None),
    Shape("en", "In 2019, Tunely CEO Dana Whitfield said “we will never sell your data to anyone.”", None),
    Shape("en", "Back in 2021, the company said it would never train models on uploads.", None),
    Shape("en", "Tunely said it has paid artists fairly since 2019 and will keep doing so.", "Tunely", "paraphrase"),
    Shape("en", "Tunely said in 2019 that it would never sell data to brokers.", None),
    Shape("en", "“I'm leaving Tunely for good,” said producer Mara Lin.", None),
    Shape("en", "Tunely pushed back on Monday, insisting that no uploaded song has ever trained a model.", "Tunely",
          "paraphrase"),
    Shape("en", "Uploads are never used to train models, according to Tunely, which reviewed the clause.", "Tunely",
          "paraphrase"),
    Shape("en", "While Tunely claims that it does not sell listener data, critics remain unconvinced.", "Tunely",
          "paraphrase"),
    Shape("en", "This is what Tunely says in its revised terms of service: “We may use uploads to improve the "
                "service and its features.”", None),
    Shape("en", "Tunely made changes to its privacy policy, stating that listening data can train models.", None),
    # --- French ----------------------------------------------------------------------------------------------
    Shape("fr", "Un porte-parole de Tunely a déclaré : « Nous n'utilisons pas vos morceaux pour entraîner nos "
                "modèles. »", "porte-parole"),
    Shape("fr", "« Les artistes gardent la main sur leurs œuvres », a indiqué la plateforme.", "plateforme"),
    Shape("fr", "Tunely précise que la clause ne concerne que la détection du spam.", "Tunely", "paraphrase"),
    Shape("fr", "« Rien ne change pour les créateurs qui publient sur Tunely », explique un porte-parole.",
          "porte-parole"),
    Shape("fr", "Selon un porte-parole de Tunely, les données ne sont pas vendues à des tiers.", "porte-parole",
          "paraphrase"),
    Shape("fr", "Tunely a revu ses conditions.\n\nMise à jour, 16 février : dans un courriel, Tunely affirme "
                "n'avoir jamais entraîné d'IA sur les morceaux.", "Tunely", "paraphrase", update=True),
    Shape("fr", "« Rien ne change pour les artistes qui refusent », a précisé la plateforme à Le Fil.",
          "plateforme"),
    Shape("fr", "Les conditions précisent : « vous nous accordez une licence mondiale sur vos contenus ».", None),
    Shape("fr", "En 2018, le PDG de Tunely, Jean Martin, avait déclaré : « Nous ne vendrons jamais vos "
                "données. »", None),
    Shape("fr", "Il faut ouvrir « Paramètres » puis « Confidentialité » pour refuser.", None),
    Shape("fr", "Face aux critiques, Tunely a réagi vite, assurant qu'aucun morceau n'a servi à entraîner une IA.",
          "Tunely", "paraphrase"),
    Shape("fr", "Les messages privés sont exclus de l'entraînement selon Tunely, qui promet un formulaire.", "Tunely",
          "paraphrase"),
    Shape("fr", "Les critiques se multiplient, selon une étude publiée par un collectif d'artistes.", None),
    # --- Spanish ---------------------------------------------------------------------------------------------
    Shape("es", "«No vendemos los datos de los oyentes», señaló un portavoz de Tunely.", "portavoz"),
    Shape("es", "Tunely afirmó que la cláusula solo se aplica a la detección de spam.", "Tunely", "paraphrase"),
    Shape("es", "Según un portavoz de Tunely, la empresa nunca ha usado canciones para entrenar modelos.",
          "portavoz", "paraphrase"),
    Shape("es", "En un comunicado, Tunely explicó: \"Los artistas pueden desactivar esta opción en cualquier "
                "momento.\"", "Tunely"),
    Shape("es", "La directora ejecutiva de Tunely, Ana García, aseguró que nada cambia para los artistas.",
          "Ana García", "paraphrase"),
    Shape("es", "\"Estamos escuchando a los artistas y vamos a aclarar el texto\", dijo Tunely.", "Tunely"),
    Shape("es", "Tunely cambió sus condiciones.\n\nActualización: Tunely declaró en un comunicado que nunca ha "
                "vendido datos de sus usuarios.", "Tunely", "paraphrase", update=True),
    Shape("es", "Tunely dijo a El Cable que ninguna canción se ha usado para entrenar modelos.", "Tunely",
          "paraphrase"),
    Shape("es", "Las nuevas condiciones dicen: «usted nos otorga una licencia sobre todo su contenido».", None),
    Shape("es", "Tunely informó que en el último año retiró millones de canciones generadas en masa.", "Tunely",
          "paraphrase"),
    Shape("es", "Tunely anunció una nueva función para las listas de reproducción.", None),
    Shape("es", "En sus términos de servicio, Tunely indica que los usuarios conservan la propiedad de sus "
                "canciones.", None),
    # --- German ----------------------------------------------------------------------------------------------
    Shape("de", "Tunely hat seine Regeln geändert. Das Unternehmen schreibt: „Wir verwenden keine Inhalte von "
                "Künstlern für KI-Training.“", "Unternehmen"),
    Shape("de", "Tunely teilte am Freitag mit, dass die Klausel nur der Spam-Erkennung diene.", "Tunely",
          "paraphrase"),
    Shape("de", "„Wir verkaufen keine Daten an Werbekunden“, sagte ein Sprecher von Tunely.", "Sprecher"),
    Shape("de", "Ein Tunely-Sprecher erklärte, die Nutzer könnten der Verwendung jederzeit widersprechen.",
          "Sprecher", "paraphrase"),
    Shape("de", "In einer Stellungnahme von Tunely heißt es: »Wir haben nie Musik unserer Nutzer für KI "
                "verwendet.«", "Tunely"),
    Shape("de", "Tunely hat die AGB geändert.\n\nNachtrag: Ein Sprecher von Tunely sagte inzwischen, man nutze "
                "keine Uploads für KI-Training.", "Sprecher", "paraphrase", update=True),
    Shape("de", "„Wir nutzen keine Uploads für das Training von KI“, heißt es in einer Stellungnahme des "
                "Unternehmens.", "das Unternehmen"),
    Shape("de", "„Wir verkaufen keine Daten“, sagte eine Sprecherin des Musikerverbands Tonrecht.", None),
    Shape("de", "In den AGB heißt es: „Sie räumen uns eine weltweite Lizenz an Ihren Inhalten ein.“", None),
    Shape("de", "Nutzer finden die Option unter „Datenschutz“ in den Einstellungen.", None),
    Shape("de", "Im Jahr 2019 hatte Tunely-Chef Jonas Weber gesagt: „Wir werden nie Daten verkaufen.“", None),
    Shape("de", "Tunely stellt in einem Blogbeitrag klar, dass Uploads nie für KI-Training genutzt werden.", "Tunely",
          "paraphrase"),
    Shape("de", "Private Nachrichten sind laut Tunely vom Training ausgenommen.", "Tunely", "paraphrase"),
    Shape("de", "Tunely will die Daten nach eigenen Angaben nur für Empfehlungen nutzen.", "Tunely", "paraphrase"),
    Shape("de", "Die Kritik wächst laut einer Umfrage unter Musikern seit Wochen.", None),
    # --- shapes of real coverage: appositions, bylines, intros, pronouns, announcements, terms language ----------
    # (b) a person with a lower-case title in apposition, closed by commas
    Shape("fr", "Léa Martin, responsable de la communication, précise que Tunely n'a jamais vendu de morceaux à des "
                "tiers.", "Léa Martin", "paraphrase"),
    Shape("es", "Jorge Ruiz, empleado de Tunely, escribe en su blog que la empresa está revisando la cláusula.",
          "Jorge Ruiz", "paraphrase"),
    Shape("en", "Sam Okafor, head of policy at Tunely, said the clause only covers spam detection.", "Sam Okafor",
          "paraphrase"),
    Shape("en", "Sam Okafor, head of policy at the Musicians' Guild, said the clause goes much too far.", None),
    Shape("es", "Según Jorge Ruiz, responsable de relaciones con creadores, los canales afectados siempre fueron "
                "pocos.", "Jorge Ruiz", "paraphrase"),
    # (a) a byline under a block quote or a paragraph; a paragraph under an intro line
    Shape("fr", "Les labels arrivent en mai.\n\n« Les abonnés veulent savoir ce qu'ils écoutent, et nous allons le "
                "leur dire. »\n\n– Léa Martin, Directrice produit de Tunely\n\nLa suite arrive.", "Léa Martin"),
    Shape("fr", "Un label apparaît désormais sous chaque morceau créé avec une IA générative.\n– Équipe Tunely\nLa "
                "suite est prévue pour l'été.", "Tunely"),
    Shape("en", "The label appears under every generated track.\n— Ravi Shah (@ravi) May 3, 2025", None),
    Shape("de", "[3. Mai] Tunely hat uns eine Nachricht geschickt:\nWir haben nie Musik unserer Nutzer für das "
                "Training von KI verwendet und werden das auch nicht tun.", "Tunely"),
    Shape("en", "Tunely's updated terms now read:\nWe may use your uploads to develop new features and services.",
          None),
    Shape("fr", "Face à la polémique, Tunely a tenu à clarifier sa position dans un communiqué officiel :\n« Tunely "
                "n'a jamais utilisé les morceaux de ses artistes pour entraîner des modèles et ne le fera", "Tunely"),
    # (c) announcements, disappointment, a staff post
    Shape("de", "Tunely gab am Montag bekannt, KI-generierte Titel künftig automatisch zu kennzeichnen.", "Tunely",
          "paraphrase"),
    Shape("en", "Tunely expressed its disappointment at the regulator's request to pause the rollout.", "Tunely",
          "paraphrase"),
    Shape("en", "An email from Tunely's moderation team, forwarded by a user, justified the ban by asserting that "
                "posted answers belong to the community.", "Tunely", "paraphrase"),
    Shape("en", "The moderation team at Tunely removed the edits within hours, citing the need to keep answers "
                "useful for everyone.", "moderation team", "paraphrase"),
    # (d) a pronoun or no subject, resolved to the actor named just before
    Shape("en", "Tunely addressed the complaints twice this week. They stated that a new version of the terms will "
                "be published by Friday.", "Tunely", "paraphrase"),
    Shape("en", "Fans flooded Tunely's forum with complaints. Artists are furious. They said that the change was "
                "made in secret.", None),
    Shape("es", "Tunely menciona varios ejemplos de uso aceptable. Asimismo, aclara que no se trata de prohibir la "
                "inteligencia artificial.", "Tunely", "paraphrase"),
    Shape("es", "Tunely quiere competir con sus rivales. Usar las listas públicas servirá, dice, para recomendar "
                "mejor la música de cada país.", "Tunely", "paraphrase"),
    Shape("fr", "Un représentant de Tunely s'est exprimé auprès de la radio publique. Il a voulu rassurer en "
                "affirmant que la société n'utilise aucun morceau pour entraîner ses modèles.", "représentant",
          "paraphrase"),
    Shape("de", "Der Dienst Tunely ändert seine Datenschutzregeln im Juni. Das teilte das Unternehmen im "
                "hauseigenen Hilfebereich mit.", "Unternehmen", "paraphrase"),
    Shape("de", "Lokale Hörgewohnheiten seien aus Tunelys Sicht unerlässlich für gute Empfehlungen.", "Tunely",
          "paraphrase"),
    Shape("en", "Acme, the parent company of Tunely, is changing the rules. Acme spokesperson Kim Lee stated, “We "
                "are improving how we label generated music.”", "spokesperson"),
    Shape("en", "Nobody at Tunely was notified. Tunely said that Linkedin users would not be affected.", "Tunely",
          "paraphrase"),
    Shape("de", "Tiktok gab vor Kurzem bekannt, als erste Plattform KI-Inhalte automatisch zu kennzeichnen.",
          "Tiktok", "paraphrase", names=("TikTok",)),
    # (e) the terms speaking, whatever verb introduces them; words said before the news
    Shape("en", "The platform now says uploaded content may be used “to inform, train and develop artificial "
                "intelligence technologies”.", None),
    Shape("fr", "Tunely affirme désormais que « vos contenus peuvent être utilisés pour améliorer nos modèles ».",
          None),
    Shape("de", "Tunely schreibt: „Ihre Inhalte dürfen für das Training unserer Modelle verwendet werden.“", None),
    Shape("es", "Tunely indica que «su contenido puede ser utilizado para entrenar nuestros modelos».", None),
    Shape("en", "On its website, Tunely states: “To improve your experience, we may use your playlists for training "
                "purposes.”", None),
    Shape("fr", "Elle affirme que « vous nous accordez une licence mondiale pour reproduire et modifier le contenu ». Et "
                "l'entreprise ajoute que l'utilisateur ne pourra demander aucune compensation.", None),
    Shape("en", "Previously, Tunely stated that private playlists would never be used for training.", None),
    Shape("en", "It has been a month since Tunely announced that it will license its catalogue to AI labs.", None),
    Shape("de", "Auf Tunely heißt es, dass man Beiträge sammeln möchte, um Modelle zu trainieren.", None),
    Shape("en", "This is what Tunely says in its revised terms of service:\n\n“Customer content does not include "
                "usage data.”", None),
    # --- owners, buyers, notices and impersonal statements (shapes of articles the rules were not tuned on) ----
    Shape("en", "Jo Weber, who bought Tunely two years ago, noted that playlists will stay private by default.",
          "Jo Weber", "paraphrase"),
    Shape("en", "The change was first spotted by a developer. Songhive, which acquired Tunely in May, said the "
                "catalogue would stay online for every listener.", "Songhive", "paraphrase"),
    Shape("en", "In a notice to customers, Tunely warned that offline mode ends in June. “We are focusing on the "
                "features our customers use most, and your library stays safe in the cloud,” the notice says.",
          "Tunely"),
    Shape("es", "Weber, que compró la plataforma el año pasado, anotó que los usuarios podrán seguir silenciando "
                "cuentas molestas.", "Weber", "paraphrase", ("Tunely",)),
    Shape("es", "Tunely cambió sus normas de contenido. A través de un comunicado, se detalló que las reglas "
                "anteriores eran confusas para muchos creadores.", "Tunely", "paraphrase"),
    Shape("es", "El dueño de Tunely, Jo Weber, ha anunciado una actualización. Weber explicó que las cuentas "
                "bloqueadas no podrán responder a las publicaciones.", "Jo Weber", "paraphrase"),
    Shape("fr", "Jo Weber, le propriétaire de Tunely, a récemment annoncé un changement. Selon Weber, cette "
                "restriction allait à l'encontre de la liberté des artistes.", "Jo Weber", "paraphrase"),
    Shape("fr", "Tunely n'a rien annoncé, mais des courriels envoyés aux abonnés circulent. « Nous avons décidé "
                "de ne plus proposer la lecture hors ligne sur les anciens appareils », indique le courriel.",
          "Tunely"),
    Shape("de", "Tunely-Eigentümer Jo Weber hält die Funktion für überflüssig, wie er in einem Beitrag am Freitag "
                "wissen ließ. Laut Weber sollen Direktnachrichten weiter blockiert werden können.", "Jo Weber",
          "paraphrase"),
    Shape("de", "Die Übernahme von Tunely durch Songhive ist abgeschlossen. „Wir werden die bestehenden Dienste für "
                "Fans und Künstler beibehalten“, so Songhive gegenüber der Presse.", "Songhive"),
    Shape("en", "Jo Weber, a critic who bought a Tunely subscription, said the app had become slower.", None),
    Shape("en", "Tunely did not respond to a request for comment, and a regulator said it would look into the "
                "change.", None),
    # German inversion, source clauses, role-only executives; Spanish source phrases (reported speech)
    Shape("de", "In einem Blogbeitrag schreibt Tunely, die Funktion werde standardmäßig deaktiviert.", "Tunely", "paraphrase"),
    Shape("de", "Gegenüber dem Spiegel sagte ein Tunely-Sprecher, die Funktion sei für alle Nutzer freiwillig.", "Sprecher",
          "paraphrase"),
    Shape("de", "Wie Tunely mitteilte, werden die Daten künftig verschlüsselt gespeichert.", "Tunely", "paraphrase"),
    Shape("de", "Nur drei Prozent der Konten machen davon Gebrauch, wie Tunely mitteilt.", "Tunely", "paraphrase"),
    Shape("de", "Tunely hat seine Regeln geändert. Die Funktion sei für alle Nutzer freiwillig, so das Unternehmen.",
          "Unternehmen", "paraphrase"),
    Shape("de", "Tunely hat seine Regeln geändert. Ein Unternehmenssprecher betonte, dass die Daten nie verkauft "
                "wurden.", "Unternehmenssprecher", "paraphrase"),
    Shape("de", "Tunely hat seine Regeln geändert. Der Tunely-Chef sagte, Zensur sei keine Lösung für das Problem.",
          "Tunely-Chef", "paraphrase"),
    Shape("de", "Tunely räumte ein, dass bei der Einführung Fehler gemacht worden seien.", "Tunely", "paraphrase"),
    Shape("de", "Tunely kündigte an, die Funktion im Juni in ganz Europa einzuführen.", "Tunely", "paraphrase"),
    Shape("de", "„Die Funktion ist standardmäßig ausgeschaltet“, bekräftigt Tunely in einem Blogbeitrag.", "Tunely"),
    Shape("de", "Nach Angaben von Tunely behalten 97 Prozent der Jugendlichen die Einstellungen bei.", "Tunely", "paraphrase"),
    Shape("de", "Tunely hat seine Regeln geändert. Jedoch beteuert die Firma seit langem, dies sei technisch völlig "
                "unmöglich.", "Firma", "paraphrase"),
    Shape("de", "Wie die Behörde mitteilte, ermittelt sie gegen Tunely wegen Betrugs.", None),
    Shape("de", "Die Funktion von Tunely sei gefährlich, so die Datenschützer.", None),
    Shape("de", "Gegenüber dem Spiegel sagte die Ministerin, Tunely müsse die Daten herausgeben.", None),
    Shape("de", "Ein Sprecher der Verbraucherzentrale sagte, die Funktion von Tunely sei gefährlich.", None),
    Shape("de", "Tunely kündigte die Funktion im Juni an.", None),
    Shape("es", "Tunely cambió sus reglas. De acuerdo con la compañía, los datos nunca se venden a terceros.",
          "compañía", "paraphrase"),
    Shape("es", "Tunely cambió sus reglas. Los datos nunca se venden a terceros, señaló la empresa en un comunicado.",
          "empresa", "paraphrase"),
    Shape("es", "Como explicó la empresa, la función estará desactivada por defecto en Tunely.", "empresa", "paraphrase"),
    Shape("es", "Tunely cambió sus reglas. El director ejecutivo de Tunely dijo que la función no se retirará.",
          "Tunely", "paraphrase"),
    Shape("es", "Los datos de Tunely no están seguros, señaló la asociación de consumidores en un comunicado.", None),
    Shape("es", "Según la fiscalía, Tunely no colaboró con la investigación.", None),
]


def _found(shape: Shape) -> list[Statement]:
    return extract_statements(shape.text, shape.names, published=PUBLISHED, language=shape.language)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.language}:{s.text[:50]}")
def test_statement_shapes(shape: Shape) -> None:
    statements = _found(shape)
    found = [(s.speaker, s.direct, s.quote) for s in statements]
    if shape.speaker is None:
        assert statements == [], found
        return
    assert statements, "no statement found"
    statement = statements[0]
    assert shape.speaker.lower() in statement.speaker.lower(), found
    assert statement.direct == (shape.kind == "quote"), found
    assert (statement.update is not None) == shape.update, statement.update
    for piece in statement.pieces:  # a setting's name or a two-word quote is never a piece on its own
        assert len(piece.split()) > 4, piece


def test_shapes_cover_every_language_and_both_outcomes() -> None:
    for language in ("en", "fr", "es", "de"):
        mine = [s for s in SHAPES if s.language == language]
        assert any(s.speaker is None for s in mine) and any(s.kind == "paraphrase" for s in mine if s.speaker)
        assert any(s.kind == "quote" and s.speaker for s in mine) and any(s.update for s in mine)
    assert len(SHAPES) >= 40


def test_quote_spanning_paragraphs_is_one_quote_without_stray_marks() -> None:
    (statement,) = _found(next(s for s in SHAPES if s.text.startswith("In an emailed statement")))
    assert "\n" not in statement.quote and "“" not in statement.quote
    assert statement.quote.startswith("We read every message") and statement.quote.endswith("uploaded tracks.")


# --- attribution in four languages (more in tests/cases/platforms.yaml) -----------------------------------------

PLATFORMS = {
    "x": Platform("x", "X", ("X", "X Corp", "Twitter")),
    "meta": Platform("meta", "Meta", ("Meta", "Meta Platforms")),
    "zoom": Platform("zoom", "Zoom", ("Zoom",)),
    "medium": Platform("medium", "Medium", ("Medium",)),
    "discord": Platform("discord", "Discord", ("Discord",)),
    "threads": Platform("threads", "Threads", ("Threads",)),
}


@pytest.mark.parametrize(("text", "platforms"), [
    ("Elon Musk's X now trains its chatbot on posts.", ["x"]),
    ("X's terms now allow AI training on posts.", ["x"]),
    ("La inteligencia artificial de X usará los mensajes públicos.", ["x"]),
    ("La plataforma X cambia sus reglas sobre la IA.", ["x"]),
    ("X (antes Twitter) cambia sus reglas.", ["x"]),
    ("X (vormals Twitter) ändert die Regeln.", ["x"]),
    ("X-Chef Musk verteidigt die Änderung.", ["x"]),
    ("Die Plattform X ändert ihre Regeln.", ["x"]),
    ("Zoom nutzt künftig Gesprächsdaten für KI.", ["zoom"]),
    ("Zoom a modifié ses conditions d'utilisation.", ["zoom"]),
    ("Zoom ha cambiado sus condiciones de uso.", ["zoom"]),
    ("Zooms Nutzungsbedingungen erlauben KI-Training.", ["zoom"]),
    ("Meta kündigte an, die Daten zu nutzen.", ["meta"]),
    ("Meta anunció un cambio en su política.", ["meta"]),
    ("Las condiciones de Meta cambian en junio.", ["meta"]),
    ("Die KI von Meta lernt mit öffentlichen Beiträgen.", ["meta"]),
    ("Ce qui change chez Meta pour les créateurs.", ["meta"]),
    ("Der Meta-Konzern ändert seine Regeln.", ["meta"]),
    ("La empresa Meta cambia sus reglas.", ["meta"]),
    ("Der Konzern Meta ändert seine Regeln.", ["meta"]),
    ("Meta explained in a blog post why the training stops.", ["meta"]),
    ("Zoom is making it hard to opt out of model training.", ["zoom"]),
    ("X recently activated a setting. On its website, X states that posts train the chatbot.", ["x"]),
    ("La plateforme de médias sociaux X modifie ses conditions.", ["x"]),
    ("Die Modelle für künstliche Intelligenz von X lernen mit Beiträgen.", ["x"]),
    ("Many X users deleted their accounts this week.", ["x"]),
    # never
    ("Company X said it would grow; Project X will start soon.", []),
    ("Medium is a word with several meanings.", []),
    ("Metas KI lernt mit Beiträgen.", ["meta"]),
    ("Le groupe Meta change ses règles.", ["meta"]),
    # never
    ("How to write a meta description that ranks", []),
    ("Plot the values on the x-axis.", []),
    ("Medium-sized labels suffer most.", []),
    ("There was discord between the labels.", []),
    ("Threads of the story came loose.", []),
    ("Der Zoom hat eine zehnfache Vergrößerung und der Zoom der Kamera ist leise.", []),
    ("Der optische Zoom ändert die Brennweite.", []),
    ("El medium de la sesión habló con los muertos.", []),
    ("Le medium a prédit la fin du monde.", []),
    ("Medium es una palabra latina.", []),
    ("Gen X's tastes shift to vinyl.", []),
    ("Tesla's Model X sells well in Norway.", []),
    ("Generation X hat viel Geld.", []),
    ("Die Kamera mit Zoom kostet mehr.", []),
])
def test_ambiguous_names_in_four_languages(text: str, platforms: list[str]) -> None:
    assert list(match_platforms(text, PLATFORMS)) == platforms


def test_a_platform_named_only_further_down_in_one_paragraph_is_in_passing() -> None:
    body = ("Regulators warned companies about quiet terms changes. The agency wants clear notices. " * 8
            + "\n\nPast cases include the day Zoom quietly changed its terms and Zoom users objected.")
    (match,) = attribute(body, PLATFORMS)
    assert match.platform == "zoom" and not match.salient
    early = "Zoom quietly changed its terms, and Zoom users objected. " + "Regulators warned companies. " * 20
    assert attribute("Critics spoke first. " + early, PLATFORMS)[0].salient


def test_two_platforms_in_one_headline_named_about_as_often_the_first_leads() -> None:
    title = "Medium and Discord to sell user data"
    text = ("Discord's parent company plans a deal; Discord users and Discord admins are upset. Medium said "
            "it will add an opt-out, and Medium writers were told in a blog post.")
    assert attribute(text, PLATFORMS, title=title)[0].platform == "medium"
    tie = "Zoom said it changed its terms. Meta said it did too. Meta said so again. Zoom said it will not."
    assert attribute(tie, PLATFORMS)[0].platform == "zoom"  # as often: the one named first


# --- what the statement reply shows -------------------------------------------------------------------------------

SOURCE = SourceSpec("wire", "feed", None, "https://wire.example/feed.xml", None, 600.0)


def test_a_paraphrase_is_not_shown_in_quotation_marks_and_times_carry_date_and_zone() -> None:
    (statement,) = extract_statements("Tunely said in a blog post that artists will be able to opt out of AI "
                                      "training by March.", TUNELY, published="2024-02-16T10:30:00-08:00")
    message = statement_message(SOURCE, Platform("tunely", "Tunely", ("Tunely",)), statement, summarize(statement), "story:1",
                                False, "https://wire.example/1", "2024-02-16T19:00:00+00:00", "k1")
    assert "“" not in message.text and "paraphrased" in message.text
    assert "16 Feb 2024" in message.text and "-08:00" in message.text


def test_a_quote_is_shown_in_quotation_marks() -> None:
    (statement,) = extract_statements("“We have never sold listener data and we never will,” Tunely said.",
                                      TUNELY, published="2024-02-16T18:00:00Z")
    message = statement_message(SOURCE, Platform("tunely", "Tunely", ("Tunely",)), statement, summarize(statement), "story:1",
                                False, None, "2024-02-16T19:00:00+00:00", "k2")
    assert "“We have never sold listener data and we never will.”" in message.text
    assert "16 Feb 2024, 18:00 UTC" in message.text


def test_an_own_newsroom_post_keeps_its_headline() -> None:
    (statement,) = extract_statements("We do not sell your data. Artists can opt out of AI training in their "
                                      "settings from today.", TUNELY, title="Our position on AI training",
                                      own_feed=True, platform="tunely")
    message = statement_message(SOURCE, Platform("tunely", "Tunely", ("Tunely",)), statement, summarize(statement), "story:1",
                                True, None, "2024-02-16T19:00:00+00:00", "k3")
    assert message.title == "Tunely: Our position on AI training"
    assert "• denies selling users' data" in message.text


@pytest.mark.parametrize(("quote", "language", "negation"), [
    ("We have never used artist content to train AI models.", "en", "never"),
    ("Tunely n'a jamais utilisé les œuvres des artistes pour entraîner ses modèles.", "fr", "jamais"),
    ("Tunely nunca ha usado las canciones de los artistas para entrenar modelos.", "es", "nunca"),
    ("Tunely hat nie Musik der Künstler für das Training von KI-Modellen verwendet.", "de", "nie"),
])
def test_points_keep_denials(quote: str, language: str, negation: str) -> None:
    points = summarize(Statement(quote, "Tunely", "statement", language, quote))
    assert points and negation in points[0].split()


@pytest.mark.parametrize(("text", "when"), [
    ("Tunely rewrote its terms.\n\nUpdate (Feb 16, 2024, 4:30 PM PT): In an emailed statement, a Tunely spokesperson "
     "said the company has never used uploads to train AI.", "Feb 16, 2024, 4:30 PM PT"),
    ("Tunely rewrote its terms.\n\nNews update at 10:12 Pacific: We have received an emailed statement from Tunely:"
     "\n\n*We do not train models on the music artists upload to Tunely.*", "16 Feb 2024, 10:12 Pacific"),
    ("Tunely rewrote its terms. Update, 2:22 p.m.: A Tunely spokesperson said the clause only covers spam "
     "detection.", PUBLISHED),  # a bare clock time: the article's own date and zone
])
def test_a_statement_in_an_update_carries_a_date_and_a_zone(text: str, when: str) -> None:
    (statement,) = extract_statements(text, TUNELY, published=PUBLISHED)
    assert statement.update is not None and statement.when == when


# Embedded posts, scraped text with glued words, the platform named by its kind, a notice that "reads", a company
# named by who runs it, and a critic's pronoun: each in four languages, with the shape that is not the platform's.
NEW_SHAPES = [
    # a post embedded from a social network, signed by the platform's account
    Shape("en", "Tunely backed down on Friday.\n\nWe hear you and we are rolling the change back for every member "
          "today.\n\n— Tunely (@tunely) February 16, 2024", "Tunely"),
    Shape("fr", "Voici le message :\n\nNous avons entendu vos retours et nous annulons ce changement pour tous dès "
          "aujourd'hui.\n\n— Tunely (@tunely) 16 février 2024", "Tunely"),
    Shape("es", "Aquí el comunicado:\n\nHemos escuchado a la comunidad y vamos a revertir este cambio para todos "
          "hoy mismo.\n\n— Tunely (@tunely) 16 de febrero de 2024", "Tunely"),
    Shape("de", "Die Reaktion kam schnell.\n\nWir haben euch gehört und nehmen die Änderung heute für alle wieder "
          "zurück.\n\n— Tunely (@tunely) 16. Februar 2024", "Tunely"),
    # ... and signed by a critic: not the platform
    Shape("en", "Critics were loud.\n\nTunely quietly claims the right to train on every upload, this is "
          "outrageous.\n\n— Jo Critic (@jocritic) February 16, 2024", None),
    Shape("fr", "Les critiques fusent.\n\nTunely s'arroge le droit d'entraîner ses modèles sur nos morceaux, c'est "
          "scandaleux.\n\n— Léa Martin (@leamartin) 16 février 2024", None),
    Shape("es", "Las críticas no tardaron.\n\nTunely se adjudica el derecho a entrenar con todo lo que subimos, es "
          "indignante.\n\n— Ana Ruiz (@anaruiz) 16 de febrero de 2024", None),
    Shape("de", "Die Kritik folgte prompt.\n\nTunely nimmt sich das Recht, mit allen Uploads zu trainieren, das ist "
          "empörend.\n\n— Jan Vogel (@janvogel) 16. Februar 2024", None),
    # an owner's post, once the text ties the owner to the platform ("Jo Weber confirmed these changes")
    Shape("en", "Jo Weber confirmed the changes to Tunely on Monday.\n\nHigh time this happened, blocking will "
          "stop hiding public posts.\n\n— Jo Weber (@joweber) February 16, 2024", "Jo Weber"),
    # words glued by scraping
    Shape("en", "In its justification for the change,Tunely saidthat the block button was being used to hide "
          "harmful posts.", "Tunely", "paraphrase"),
    Shape("fr", "Pour justifier ce changement,Tunely a déclaréque le bouton servait à cacher des messages.",
          "Tunely", "paraphrase"),
    Shape("es", "Para justificar el cambio,Tunely dijoque el botón se usaba para ocultar mensajes dañinos.",
          "Tunely", "paraphrase"),
    # the platform named by its kind
    Shape("en", "Tunely changed how blocking works. The social network said that blocking was being abused to "
          "hide harmful posts.", "the social network", "paraphrase"),
    Shape("fr", "Tunely change le blocage. Le réseau social a précisé que le blocage servait à cacher des "
          "messages nuisibles.", "le réseau social", "paraphrase"),
    Shape("es", "Tunely cambia el bloqueo. La red social aseguró que el bloqueo se usaba para ocultar mensajes "
          "dañinos.", "la red social", "paraphrase"),
    Shape("de", "Tunely ändert die Sperre. Das soziale Netzwerk begründet die Änderung damit, dass die Sperre "
          "missbraucht werden könnte.", "das soziale Netzwerk", "paraphrase"),
    # ... whose critic, named just before, is "she"
    Shape("de", "Die Entwicklerin Tracy Vogel hat eine App gebaut. Sie betont, dass höhere Hürden gegen Stalker "
          "wichtig seien.", None),
    Shape("en", "The developer Tracy Vogel built a blocking app. She stresses that higher hurdles for stalkers "
          "still matter.", None),
    # a notice quoted after "reads:"
    Shape("en", "Tunely users saw a pop-up this week.\n\nThe pop-up notification reads:\n\"Block is changing soon. "
          "Accounts you have blocked will be able to view your public posts.\"", "Tunely"),
    Shape("es", "Los usuarios de Tunely vieron un aviso.\n\nEl aviso reza:\n\"El bloqueo cambiará pronto y las "
          "cuentas bloqueadas podrán ver tus publicaciones.\"", "Tunely"),
    Shape("de", "Nutzer von Tunely sahen diese Woche einen Hinweis.\n\nDie Nachricht lautet:\n\"Die Sperre ändert sich "
          "bald und gesperrte Konten sehen öffentliche Beiträge.\"", "Tunely"),
    Shape("fr", "Les utilisateurs de Tunely ont vu une alerte.\n\nLe message se lit :\n\"Le blocage change bientôt et "
          "les comptes bloqués verront vos publications.\"", "Tunely"),
    # a critic's notice is not the platform's
    Shape("en", "A union wrote to its members about Tunely.\n\nThe union's letter reads:\n\"We will fight this change "
          "with every member until Tunely backs down.\"", None),
    # the company named by who runs it
    Shape("es", "Tunely anunció su acuerdo. \"Vamos a llegar a nuevas audiencias con esta alianza\", indicó la "
          "compañía dirigida por Jo Weber.", "la compañía"),
    Shape("fr", "Tunely a annoncé l'accord. « Nous allons toucher de nouveaux publics grâce à ce partenariat », a "
          "déclaré la plateforme dirigée par Jo Weber.", "la plateforme"),
    Shape("en", "Tunely announced the deal. \"We will reach new audiences with this partnership,\" said the "
          "platform run by Jo Weber.", "Jo Weber"),  # the one who runs it speaks for it
    Shape("de", "Tunely kündigte den Deal an. \"Wir erreichen damit neue Zielgruppen und viele neue Fans\", sagte "
          "das Unternehmen von Jo Weber.", "das Unternehmen"),
    # a rival's statement is not the platform's
    Shape("en", "Tunely announced the deal. \"We will reach new audiences with this partnership,\" said Jo Weber "
          "of Rivalsound.", None),
]


@pytest.mark.parametrize("shape", NEW_SHAPES, ids=lambda s: f"{s.language}:{s.text[:40]}")
def test_new_shapes(shape: Shape) -> None:
    found = extract_statements(shape.text, shape.names, published=PUBLISHED)
    if shape.speaker is None:
        assert found == [], found
        return
    assert found, shape.text
    assert found[0].speaker.lower() == shape.speaker.lower(), found
    assert found[0].direct is (shape.kind == "quote"), found
    # rendering: a paraphrase is labelled and never put in quotation marks; quoted words are
    message = statement_message(SOURCE, Platform("tunely", "Tunely", ("Tunely",)), found[0], summarize(found[0]),
                                "story:1", False, "https://outlet.example/a", PUBLISHED, "key")
    body = message.text if hasattr(message, "text") else str(message)
    if shape.kind == "paraphrase":
        assert "(paraphrased)" in body and f"“{found[0].quote[:20]}" not in body
    else:
        assert f"“{found[0].quote[:20]}" in body


# Spanish reporting patterns (general wordings, the platform always "Tunely"): the company speaking through a
# communiqué, a blog, a channel, its founder introduced earlier, sources, and the officials who are not it.
SPANISH_SHAPES: list[Shape] = [
    Shape("es", "El servicio de música Tunely cambió sus reglas. A través de un comunicado, indicaron que “las "
          "cuentas de los menores tendrán límites nuevos desde el lunes”.", "Tunely"),
    Shape("es", "Tunely lanzó la función el martes. Explicaron desde la compañía que el cambio llegará a todos los "
          "países antes de junio.", "desde la compañía", "paraphrase"),
    Shape("es", "La app dejó de funcionar el sábado. Ayer Tunely informó a través de su perfil en X que ha comenzado "
          "a restablecer el servicio en todo el país.", "Tunely", "paraphrase"),
    Shape("es", "Tunely emitió un comunicado argumentando que la venta forzosa no era viable ni técnica ni "
          "comercialmente.", "Tunely", "paraphrase"),
    Shape("es", "La aplicación Tunely quedó bloqueada en el país.\n«Una ley nos obliga a cerrar el servicio por "
          "ahora. Trabajamos para volver pronto, gracias por la paciencia», decía un mensaje en la aplicación.",
          "Tunely"),
    Shape("es", "Tunely cerró su servicio.\n«Una ley nos obliga a cerrar el servicio por ahora. Trabajamos para "
          "volver muy pronto»,\nMensaje de Tunely a sus usuarios\nLa medida afecta a millones de personas.",
          "Tunely"),
    Shape("es", "La plataforma creció demasiado rápido, algo que en palabras de la compañía desbordó sus equipos "
          "de moderación durante años.", "la compañía", "paraphrase"),
    Shape("es", "La aplicación de mensajería Tunely cambia su política de datos. La medida, anunciada por su "
          "fundadora, Lucía Ferrer, entra en vigor hoy.\n\n«Si recibimos una orden judicial válida, revisaremos "
          "la solicitud con cuidado», explicó Lucía Ferrer a la prensa.", "fundadora Lucía Ferrer"),
    Shape("es", "Tunely ha reforzado su buscador con filtros automáticos, haciéndolo «mucho más seguro», afirmó el "
          "representante de la plataforma.", "el representante", "paraphrase"),
    # not the platform: an official, a rival's communiqué, a judge, a founder of something else
    Shape("es", "Tunely cambió sus reglas. A través de un comunicado, el ministerio indicó que “las cuentas de los "
          "menores deberán tener límites nuevos desde el lunes”.", None),
    Shape("es", "Rivalsound elogió a Tunely en un comunicado de prensa y subrayó que su principal objetivo es "
          "“facilitar que la gente encuentre música nueva cada día”.", None),
    Shape("es", "Tunely recurrirá el fallo. «La ley es clara y la empresa deberá cumplirla en todo el país», "
          "afirmó la jueza Marta Ruiz.", None),
    Shape("es", "El regulador Datacom, que investiga a Tunely, cambió de criterio. La decisión, anunciada por su "
          "presidente, Jorge Salas, entra en vigor hoy.\n\n«Las multas serán mucho más altas desde ahora», "
          "explicó Jorge Salas a la prensa.", None),
]


@pytest.mark.parametrize("shape", SPANISH_SHAPES, ids=lambda s: f"{s.language}:{s.text[:40]}")
def test_spanish_shapes(shape: Shape) -> None:
    found = extract_statements(shape.text, shape.names, published=PUBLISHED)
    if shape.speaker is None:
        assert found == [], found
        return
    assert found, shape.text
    assert shape.speaker.lower() in found[-1].speaker.lower() or shape.speaker.lower() in found[0].speaker.lower(), found
    assert any(item.direct is (shape.kind == "quote") for item in found), found
