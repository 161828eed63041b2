/**
 * Names for the consent screen. The authoritative list is the GKV-Spitzenverband's
 * IK register; until it is imported, known test IKs are named and others shown as numbers.
 */
const names: Record<string, string> = {
  '109500969': 'Test GKV-SV',
  '101575519': 'Test-Krankenkasse Nord',
  '108018007': 'Test-BKK Süd',
};

export const insurerName = (ik: string): string => names[ik] ?? `Krankenkasse (IK ${ik})`;
