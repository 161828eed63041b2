/**
 * Test insured persons of the embedded GesundheitsID. The first one is the holder of
 * gematik's test card (KVNR X110540756, IK 109500969), so the online and the eGK
 * check-in of the same person can be compared.
 */
export interface TestPerson {
  id: string;
  kvnr: string;
  ik: string;
  insurer: string;
  givenName: string;
  familyName: string;
}

export const TEST_PERSONS: readonly TestPerson[] = [
  { id: 'p1', kvnr: 'X110540756', ik: '109500969', insurer: 'Test GKV-SV', givenName: 'Erika', familyName: 'Mustermann' },
  { id: 'p2', kvnr: 'T012345678', ik: '101575519', insurer: 'Test-Krankenkasse Nord', givenName: 'Max', familyName: 'Beispiel' },
  { id: 'p3', kvnr: 'A123456780', ik: '108018007', insurer: 'Test-BKK Süd', givenName: 'Aylin', familyName: 'Yılmaz' },
];

export const findPerson = (id: string): TestPerson | undefined => TEST_PERSONS.find((p) => p.id === id);
