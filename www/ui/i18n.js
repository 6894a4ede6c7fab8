// The UI's words in English, French and Italian. The language is the element's
// own `lang` attribute when it names one of these (not the page's: a French page
// may embed a player for an Italian viewer), else the viewer's navigator.languages.

const MESSAGES = {
  en: {
    play: "Play", pause: "Pause", mute: "Mute", unmute: "Unmute", volume: "Volume",
    seek: "Seek", fullscreen: "Full screen", exitFullscreen: "Exit full screen",
    pip: "Picture in picture", quality: "Quality", auto: "Auto", audioOnly: "Audio only",
    speed: "Speed", normal: "Normal", captions: "Subtitles/CC", off: "Off",
    live: "LIVE", backToLive: "Back to live", loading: "Loading",
    p2p: "P2P", p2pPanel: "Peer-to-peer", statsForNerds: "Stats for nerds", close: "Close",
    peers: "Peers", download: "Download", upload: "Upload", fromServers: "From servers",
    fromPeers: "From peers", uploaded: "Uploaded", p2pOff: "Peer-to-peer is off.",
    resolution: "Resolution", codecs: "Codecs", buffer: "Buffer", bandwidth: "Bandwidth estimate",
    latency: "Latency to live", droppedFrames: "Dropped frames", verified: "Verified segments",
    privacyNotice: "P2P is on: other viewers of this video can see your IP address.",
    turnOffP2p: "Turn off P2P", turnOnP2p: "Turn on P2P", dismiss: "OK",
    errNetwork: "The video could not be downloaded: the network or the server failed.",
    errUnsupported: "This browser cannot play this video's format.",
    errSources: "Every source of this video failed.",
    errPlaylist: "The video's playlist is broken.",
    errMedia: "The browser could not decode this video.",
    errOther: "Playback failed.",
    retry: "Retry", chapter: "Chapter",
    liveEnded: "This live has ended.",
    menuLoop: "Play in loop", menuCopyUrl: "Copy the video URL", menuCopyUrlAtTime: "Copy the video URL at the current time",
    menuCopyEmbed: "Copy embed code",
    passwordTitle: "This video is password protected", passwordMessage: "You need a password to watch this video.",
    passwordWrong: "Incorrect password, please enter a correct password.", password: "Password", passwordSubmit: "Watch video",
    p2pNoWebrtc: "Peer-to-peer is unavailable: this browser cannot make WebRTC connections. The video plays from the servers.",
    p2pOlderInstance: "Peer-to-peer is unavailable: this instance's viewers use an older peer protocol. The video plays from the servers.",
  },
  fr: {
    play: "Lecture", pause: "Pause", mute: "Couper le son", unmute: "Rétablir le son", volume: "Volume",
    seek: "Position", fullscreen: "Plein écran", exitFullscreen: "Quitter le plein écran",
    pip: "Image dans l'image", quality: "Qualité", auto: "Auto", audioOnly: "Audio seulement",
    speed: "Vitesse", normal: "Normale", captions: "Sous-titres", off: "Désactivés",
    live: "DIRECT", backToLive: "Revenir au direct", loading: "Chargement",
    p2p: "P2P", p2pPanel: "Pair-à-pair", statsForNerds: "Statistiques détaillées", close: "Fermer",
    peers: "Pairs", download: "Réception", upload: "Envoi", fromServers: "Depuis les serveurs",
    fromPeers: "Depuis les pairs", uploaded: "Envoyé", p2pOff: "Le pair-à-pair est désactivé.",
    resolution: "Définition", codecs: "Codecs", buffer: "Tampon", bandwidth: "Débit estimé",
    latency: "Retard sur le direct", droppedFrames: "Images perdues", verified: "Segments vérifiés",
    privacyNotice: "P2P actif : les autres spectateurs de cette vidéo peuvent voir votre adresse IP.",
    turnOffP2p: "Désactiver le P2P", turnOnP2p: "Activer le P2P", dismiss: "OK",
    errNetwork: "La vidéo n'a pas pu être téléchargée : le réseau ou le serveur a échoué.",
    errUnsupported: "Ce navigateur ne sait pas lire le format de cette vidéo.",
    errSources: "Toutes les sources de cette vidéo ont échoué.",
    errPlaylist: "La playlist de la vidéo est invalide.",
    errMedia: "Le navigateur n'a pas pu décoder cette vidéo.",
    errOther: "La lecture a échoué.",
    retry: "Réessayer", chapter: "Chapitre",
    liveEnded: "Ce direct est terminé.",
    menuLoop: "Lire en boucle", menuCopyUrl: "Copier l'URL de la vidéo", menuCopyUrlAtTime: "Copier l'URL de la vidéo au temps actuel",
    menuCopyEmbed: "Copier le code d'intégration",
    passwordTitle: "Cette vidéo est protégée par un mot de passe", passwordMessage: "Il vous faut un mot de passe pour regarder cette vidéo.",
    passwordWrong: "Mot de passe incorrect, veuillez saisir le bon mot de passe.", password: "Mot de passe", passwordSubmit: "Regarder la vidéo",
    p2pNoWebrtc: "Le pair-à-pair n'est pas disponible : ce navigateur ne peut pas établir de connexions WebRTC. La vidéo est lue depuis les serveurs.",
    p2pOlderInstance: "Le pair-à-pair n'est pas disponible : les spectateurs de cette instance utilisent un protocole pair-à-pair plus ancien. La vidéo est lue depuis les serveurs.",
  },
  it: {
    play: "Riproduci", pause: "Pausa", mute: "Disattiva audio", unmute: "Riattiva audio", volume: "Volume",
    seek: "Posizione", fullscreen: "Schermo intero", exitFullscreen: "Esci da schermo intero",
    pip: "Picture in picture", quality: "Qualità", auto: "Auto", audioOnly: "Solo audio",
    speed: "Velocità", normal: "Normale", captions: "Sottotitoli", off: "Disattivati",
    live: "DIRETTA", backToLive: "Torna alla diretta", loading: "Caricamento",
    p2p: "P2P", p2pPanel: "Peer-to-peer", statsForNerds: "Statistiche dettagliate", close: "Chiudi",
    peers: "Peer", download: "Download", upload: "Upload", fromServers: "Dai server",
    fromPeers: "Dai peer", uploaded: "Inviati", p2pOff: "Il peer-to-peer è disattivato.",
    resolution: "Risoluzione", codecs: "Codec", buffer: "Buffer", bandwidth: "Banda stimata",
    latency: "Ritardo sulla diretta", droppedFrames: "Fotogrammi persi", verified: "Segmenti verificati",
    privacyNotice: "P2P attivo: gli altri spettatori di questo video possono vedere il tuo indirizzo IP.",
    turnOffP2p: "Disattiva P2P", turnOnP2p: "Attiva P2P", dismiss: "OK",
    errNetwork: "Impossibile scaricare il video: la rete o il server non hanno risposto.",
    errUnsupported: "Questo browser non può riprodurre il formato di questo video.",
    errSources: "Tutte le fonti di questo video hanno fallito.",
    errPlaylist: "La playlist del video non è valida.",
    errMedia: "Il browser non è riuscito a decodificare questo video.",
    errOther: "Riproduzione non riuscita.",
    retry: "Riprova", chapter: "Capitolo",
    liveEnded: "Questa diretta è terminata.",
    menuLoop: "Riproduci in loop", menuCopyUrl: "Copia l'URL del video", menuCopyUrlAtTime: "Copia l'URL del video al momento attuale",
    menuCopyEmbed: "Copia il codice di incorporamento",
    passwordTitle: "Questo video è protetto da password", passwordMessage: "Serve una password per guardare questo video.",
    passwordWrong: "Password errata, inserisci la password corretta.", password: "Password", passwordSubmit: "Guarda il video",
    p2pNoWebrtc: "Il peer-to-peer non è disponibile: questo browser non può stabilire connessioni WebRTC. Il video viene riprodotto dai server.",
    p2pOlderInstance: "Il peer-to-peer non è disponibile: gli spettatori di questa istanza usano un protocollo peer-to-peer più vecchio. Il video viene riprodotto dai server.",
  },
};

export const LANGUAGES = Object.keys(MESSAGES);

/** The first of `wanted` (BCP 47 tags, best first) that the UI speaks, else "en". */
export function pickLanguage(wanted) {
  for (const tag of wanted) {
    const base = String(tag || "").toLowerCase().split("-")[0];
    if (MESSAGES[base]) return base;
  }
  return "en";
}

/**
 * A translator for `lang`: `t("play")` → "Lecture" in French.
 *
 *     const t = translator(pickLanguage(navigator.languages));
 */
export function translator(lang) {
  const table = MESSAGES[lang] || MESSAGES.en;
  return (key) => table[key] ?? MESSAGES.en[key] ?? key;
}
