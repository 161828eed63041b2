/**
 * Guidance for Chrome's Local Network Access prompt (from M142 a public page
 * needs the user's permission to reach 127.0.0.1; WebSockets from M147;
 * policy LocalNetworkAccessAllowedForUrls; egk-and-readers.md §4.4). Shown
 * by the dashboard next to the pairing field and printed by `popp bridge`.
 */
export const LOCAL_NETWORK_ACCESS_GUIDANCE = {
  de: [
    'Chrome fragt beim ersten Verbinden: „… möchte auf Geräte in Ihrem lokalen Netzwerk zugreifen“. Bitte „Zulassen“ wählen – die Seite spricht nur mit der PoPP-Brücke auf diesem PC (127.0.0.1).',
    'Wurde die Anfrage abgelehnt: Schloss-Symbol in der Adresszeile → Website-Einstellungen → „Lokales Netzwerk“ auf „Zulassen“ stellen und die Seite neu laden.',
    'Für verwaltete Praxis-PCs kann die IT die Freigabe per Richtlinie LocalNetworkAccessAllowedForUrls für die Dashboard-Adresse erteilen.',
  ],
  en: [
    'On first connect Chrome asks: "… wants to access devices on your local network". Choose "Allow" – the page only talks to the PoPP bridge on this PC (127.0.0.1).',
    'If it was blocked: lock icon in the address bar → Site settings → set "Local network" to "Allow" and reload the page.',
    'On managed practice PCs, IT can grant it with the LocalNetworkAccessAllowedForUrls policy for the dashboard address.',
  ],
} as const;

export const PAIRING_GUIDANCE = {
  de: 'Bitte den sechsstelligen Code eingeben, den die PoPP-Brücke auf diesem PC anzeigt. Derselbe Code erscheint danach hier zur Kontrolle.',
  en: 'Please enter the six-digit code the PoPP bridge shows on this PC. The same code then appears here for comparison.',
} as const;
