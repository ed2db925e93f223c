import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReferencedResources1764100007000 implements MigrationInterface {
  name = 'ReferencedResources1764100007000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the ReferencedResources work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the ReferencedResources work.
  }
}
